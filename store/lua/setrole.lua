-- setrole.lua: give a user a role, or take it away, globally or on one target,
-- refusing to leave no global admin.
-- A[1] actor (must be a global admin now, or '@system'), A[2] user,
-- A[3] role ('viewer' | 'moderator' | 'approver' | 'admin'; '' = remove),
-- A[4] scope ('' = global, else 'group:<id>' | 'room:<id>').
-- Global roles live in P allow (user → role); scoped ones in P allow:s:<user>
-- (scope → role), and P allow:scoped is the set of users who have any.
-- Only global admins manage the allowlist, scoped roles included; the
-- last-admin rule concerns global admins only.
-- Replies {'ok', previous role or ''} | {'forbidden'} | {'lastadmin'} | {'notfound'}.
local actor, user, role, scope = A[1], A[2], A[3], A[4] or ''
if actor ~= SYSTEM and role_rank(actor) < RANK.admin then return {'forbidden'} end
local key, field = P .. 'allow', user
if scope ~= '' then key, field = P .. 'allow:s:' .. user, scope end
local cur = redis.call('HGET', key, field)
if not cur then
  if role == '' then return {'notfound'} end
  cur = ''
end
if scope == '' and cur == 'admin' and role ~= 'admin' then
  local admins = 0
  for _, v in ipairs(redis.call('HVALS', key)) do
    if v == 'admin' then admins = admins + 1 end
  end
  if admins <= 1 then return {'lastadmin'} end
end
local action = 'allow'
if role == '' then
  action = 'revoke'
  redis.call('HDEL', key, field)
else
  redis.call('HSET', key, field, role)
end
local detail = cur .. ' -> ' .. role
if scope ~= '' then
  detail = detail .. ' on ' .. scope
  if redis.call('EXISTS', key) == 1 then
    redis.call('SADD', P .. 'allow:scoped', user)
  else
    redis.call('SREM', P .. 'allow:scoped', user)
  end
end
audit(now_ms(), {actor = actor, action = action, kind = 'user', target = user, outcome = 'ok',
  detail = detail})
return {'ok', cur}
