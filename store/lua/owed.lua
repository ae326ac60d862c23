-- owed.lua: mark Slack side effects done, optionally recording the root message.
-- A[1] id, A[2] channel, A[3] root thread ts ('' = leave as is), A[4...] effects
-- ('root' | 'result' | 'requester' | 'expiry').
-- Replies {'ok', snapshot} | {'notfound'}.
local id, channel, ts = A[1], A[2], A[3]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
if ts ~= '' then redis.call('HSET', k, 'channel', channel, 'thread_ts', ts) end
for i = 4, #A do redis.call('SREM', k .. ':owed', A[i]) end
settle(id)
return {'ok', snapshot(id)}
