-- progress.lua: remember the thread ts of the single progress message (fenced).
-- A[1] id, A[2] owner, A[3] epoch, A[4] ts.
-- Replies {'ok'} | {'notfound'} | {'leaselost'}.
local id, owner, epoch, ts = A[1], A[2], A[3], A[4]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
if not fenced(k, owner, epoch) then return {'leaselost'} end
redis.call('HSET', k, 'progress_ts', ts)
return {'ok'}
