-- undoclose.lua: close the Undo windows that have passed (by TIME): each such
-- request owes 'undo' (its root loses the Undo button) and leaves the index.
-- P req:undo holds request IDs by undo_until_ms; finish.lua adds them,
-- undo.lua removes the one undone.
-- A[1] most requests to close.
-- Replies {id, ...}: the requests this call closed.
local key = P .. 'req:undo'
local now = now_ms()
local out = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', key, '-inf', fmt(now), 'LIMIT', 0, tonumber(A[1]))) do
  redis.call('ZREM', key, id)
  local k = rkey(id)
  local st, until_ms, undone = unpack(redis.call('HMGET', k, 'state', 'undo_until_ms', 'undone_by'))
  if st and (undone or '') == '' and (st == 'done' or st == 'partial') and tonumber(until_ms) <= now then
    redis.call('SADD', k .. ':owed', 'undo')
    settle(id)
    out[#out + 1] = id
  end
end
return out
