-- owed.lua: mark Slack side effects done, optionally recording the root
-- message, fenced by the request's lease (a stale owner writes nothing: it
-- can neither overwrite the root's ts nor mark an effect done).
-- A[1] id, A[2] owner, A[3] epoch, A[4] channel, A[5] root thread ts ('' =
-- leave as is), A[6...] effects ('root' | 'result' | 'requester' | 'expiry').
-- Replies {'ok', snapshot} | {'notfound'} | {'leaselost'}.
local id, owner, epoch, channel, ts = A[1], A[2], A[3], A[4], A[5]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
if not fenced(k, owner, epoch) then return {'leaselost'} end
if ts ~= '' then redis.call('HSET', k, 'channel', channel, 'thread_ts', ts) end
for i = 6, #A do redis.call('SREM', k .. ':owed', A[i]) end
settle(id)
return {'ok', snapshot(id)}
