-- expire.lua: expire one pending (or confirming) request whose expires_at has passed (by TIME).
-- A[1] id.
-- Replies {'ok', snapshot} (this call expired it) | {'notdue'} | {'notfound'}
--   | {'decided', state, by, at_ms} (someone else got there first).
local id = A[1]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then
  redis.call('ZREM', P .. 'req:pending', id)
  redis.call('ZREM', P .. 'req:confirming', id)
  return {'notfound'}
end
local r = hash(k)
if r.state ~= 'pending' and r.state ~= 'confirming' then return {'decided', r.state, r.decided_by, r.decided_ms} end
local now = now_ms()
if now < tonumber(r.expires_ms) then return {'notdue'} end
expire(id, r, now)
return {'ok', snapshot(id)}
