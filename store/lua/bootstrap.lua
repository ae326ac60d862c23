-- bootstrap.lua: make users admins if they have no role yet.
-- A[1...] Slack user IDs.
-- Replies {user, ...}: the users it made admins.
local added = {}
local now = now_ms()
for _, user in ipairs(A) do
  if redis.call('HSETNX', P .. 'allow', user, 'admin') == 1 then
    added[#added + 1] = user
    audit(now, {actor = SYSTEM, action = 'bootstrap', kind = 'user', target = user, outcome = 'ok',
      detail = ' -> admin'})
  end
end
return added
