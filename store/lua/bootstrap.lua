-- bootstrap.lua: make users admins, but only while the allowlist has no
-- admin at all (a first start, or a recovery after every admin was removed
-- by hand). Once an admin exists it grants nothing, so a revoked bootstrap
-- admin never comes back at the next start.
-- A[1...] Slack user IDs.
-- Replies {user, ...}: the users it made admins (empty when an admin exists).
local key = P .. 'allow'
for _, v in ipairs(redis.call('HVALS', key)) do
  if v == 'admin' then return {} end
end
local added = {}
local now = now_ms()
for _, user in ipairs(A) do
  local cur = redis.call('HGET', key, user)
  if cur ~= 'admin' then
    redis.call('HSET', key, user, 'admin')
    added[#added + 1] = user
    audit(now, {actor = SYSTEM, action = 'bootstrap', kind = 'user', target = user, outcome = 'ok',
      detail = (cur or '') .. ' -> admin'})
  end
end
return added
