-- watch.lua: start or stop watching a target (admins only, read at this moment), audited.
-- A[1] mode ('add' | 'remove'), A[2] actor, A[3] kind ('group' | 'room'), A[4] target id,
-- A[5] most watched targets (add), A[6] op id.
-- Replies {'ok', num} | {'exists', num} | {'full', count} | {'notfound'} | {'forbidden', role}.
local mode, actor, kind, id, maxw, op = A[1], A[2], A[3], A[4], tonumber(A[5]), A[6]
if actor ~= SYSTEM and role_rank(actor) < RANK.admin then
  return {'forbidden', redis.call('HGET', P .. 'allow', actor) or ''}
end
local name = kind .. ':' .. id
local wk = P .. 'watch:' .. name
local now = now_ms()
local num = redis.call('HGET', wk, 'num')
if mode == 'add' then
  if num then return {'exists', num} end
  local count = redis.call('ZCARD', P .. 'watch')
  if count >= maxw then return {'full', count} end
  num = fmt(redis.call('INCR', P .. 'watch:seq'))
  redis.call('HSET', wk, 'num', num, 'kind', kind, 'id', id, 'added_ms', fmt(now), 'added_by', actor,
    'state', 'new', 'bans', '0', 'mutes', '0', 'changes', '0')
  redis.call('ZADD', P .. 'watch', now, name)
  redis.call('HSET', P .. 'watch:nums', num, name)
  audit(now, {actor = actor, action = 'watch', kind = kind, target = id, outcome = 'ok', op = op})
  return {'ok', num}
end
if not num then return {'notfound'} end
for _, l in ipairs({'b', 'm'}) do
  local sk = P .. 'snap:' .. num .. ':' .. l
  snap_rows(redis.call('GET', sk), function(a, _) ix_put(a, num .. l, nil) end)
  redis.call('DEL', sk)
end
redis.call('DEL', wk)
redis.call('ZREM', P .. 'watch', name)
redis.call('HDEL', P .. 'watch:nums', num)
audit(now, {actor = actor, action = 'unwatch', kind = kind, target = id, outcome = 'ok', op = op})
return {'ok', num}
