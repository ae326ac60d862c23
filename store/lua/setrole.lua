-- setrole.lua: give a user a role, or take it away, refusing to leave no admin.
-- A[1] actor (must be an admin now, or '@system'), A[2] user,
-- A[3] role ('viewer' | 'moderator' | 'approver' | 'admin'; '' = remove).
-- Replies {'ok', previous role or ''} | {'forbidden'} | {'lastadmin'} | {'notfound'}.
local actor, user, role = A[1], A[2], A[3]
local key = P .. 'allow'
if actor ~= SYSTEM and role_rank(actor) < RANK.admin then return {'forbidden'} end
local cur = redis.call('HGET', key, user)
if not cur then
  if role == '' then return {'notfound'} end
  cur = ''
end
if cur == 'admin' and role ~= 'admin' then
  local admins = 0
  for _, v in ipairs(redis.call('HVALS', key)) do
    if v == 'admin' then admins = admins + 1 end
  end
  if admins <= 1 then return {'lastadmin'} end
end
local action = 'allow'
if role == '' then
  action = 'revoke'
  redis.call('HDEL', key, user)
else
  redis.call('HSET', key, user, role)
end
audit(now_ms(), {actor = actor, action = action, kind = 'user', target = user, outcome = 'ok',
  detail = cur .. ' -> ' .. role})
return {'ok', cur}
