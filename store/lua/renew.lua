-- renew.lua: extend, release or check the lease of its holder (fenced).
-- A[1] id, A[2] owner, A[3] epoch, A[4] lease ms (0 = release the lease).
-- Replies {'ok', until_ms} | {'notfound'} | {'leaselost'}.
local id, owner, epoch, ttl = A[1], A[2], A[3], tonumber(A[4])
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
if not fenced(k, owner, epoch) then return {'leaselost'} end
if ttl == 0 then
  redis.call('HSET', k, 'lease_owner', '', 'lease_until_ms', '0')
  return {'ok', '0'}
end
local until_ms = fmt(now_ms() + ttl)
redis.call('HSET', k, 'lease_until_ms', until_ms)
return {'ok', until_ms}
