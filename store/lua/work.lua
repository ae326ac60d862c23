-- work.lua: requests some replica should pick up, oldest first.
-- A[1] max results.
-- A request qualifies when its lease is free or lapsed and it is approved
-- ('approved'), executing ('executing') or owes Slack side effects ('owed').
-- Index entries of requests whose keys expired are dropped.
-- Replies {id, reason, id, reason, ...}.
local max = tonumber(A[1])
local now = now_ms()
local out = {}
for _, id in ipairs(redis.call('ZRANGE', P .. 'req:work', 0, -1)) do
  if #out >= 2 * max then break end
  local k = rkey(id)
  local state, owner, until_ms = unpack(redis.call('HMGET', k, 'state', 'lease_owner', 'lease_until_ms'))
  if not state then
    redis.call('ZREM', P .. 'req:work', id)
  elseif owner == '' or tonumber(until_ms) <= now then
    local reason = nil
    if state == 'approved' or state == 'executing' then
      reason = state
    elseif redis.call('SCARD', k .. ':owed') > 0 then
      reason = 'owed'
    end
    if reason then
      out[#out + 1] = id
      out[#out + 1] = reason
    end
  end
end
return out
