-- refusal.lua: audit a refusal compactly. It never lists or indexes accounts:
-- with a request ID, the target, number and account count come from the
-- request. With a gate, at most one entry per gate and window is written; the
-- refusals in between are counted and the next entry says how many there were.
-- A[1] actor, A[2] action, A[3] target kind, A[4] target id, A[5] request id,
-- A[6] outcome, A[7] detail, A[8] op id, A[9] gate ('' = none), A[10] window ms.
-- Replies {'ok', entry id} | {'quiet'}.
local now = now_ms()
local detail = A[7]
if A[9] ~= '' then
  local gate = P .. 'audit:gate:' .. A[9]
  local until_ms, quiet = unpack(redis.call('HMGET', gate, 'until_ms', 'quiet'))
  if until_ms and tonumber(until_ms) > now then
    redis.call('HINCRBY', gate, 'quiet', 1)
    return {'quiet'}
  end
  quiet = tonumber(quiet or '0') or 0
  if quiet > 0 then
    detail = detail .. ' (and ' .. quiet .. ' more like it since the last one logged)'
  end
  redis.call('HSET', gate, 'until_ms', fmt(now + tonumber(A[10])), 'quiet', '0')
  -- The quiet count outlives the window so that the next entry can report it.
  redis.call('PEXPIRE', gate, math.max(tonumber(A[10]) * 60, 3600000))
end
local e = {actor = A[1], action = A[2], kind = A[3], target = A[4], outcome = A[6], detail = detail,
  op = A[8], accounts = {}, count = 0}
if A[5] ~= '' then
  e.req = A[5]
  local kind, target, num, accounts, act, rc = unpack(redis.call('HMGET', rkey(A[5]), 'kind', 'target', 'number',
    'accounts', 'action', 'reason_code'))
  if kind then
    e.kind, e.target, e.num = kind, target, num
    e.act, e.rc = action_of({action = act or ''}), rc or ''
    local _, lines = string.gsub(accounts or '', '\n', '')
    if (accounts or '') ~= '' then e.count = lines + 1 end
  end
end
return {'ok', audit(now, e)}
