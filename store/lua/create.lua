-- create.lua: open a request: pending when approvals are needed; an
-- immediate action (0 needed) starts approved (decided by its requester),
-- or confirming while it waits for its requester's Confirm (expiring like a
-- pending request, through P req:confirming).
-- A[1] id, A[2] op id, A[3] target kind, A[4] target id, A[5] group type,
-- A[6] accounts ("\n"-joined), A[7] reason, A[8] requester, A[9] channel,
-- A[10] ttl ms (the confirm window when confirming), A[11] approvals needed,
-- A[12] lease owner ('' = none), A[13] lease ms, A[14] most open requests
-- per requester (0 = no limit), A[15] action kind, A[16] duration s,
-- A[17] reason code, A[18] '1' = wait for Confirm, A[19] undo window ms,
-- A[20] preview, A[21] history (the accounts' case history, one line each),
-- A[22...] pairs account, prior state ('-' | 'p' | until ms).
-- Replies {'ok', snapshot} | {'dup', snapshot} (op already created it) | {'forbidden'}
-- | {'toomany', open, max} (audited).
local id, op, requester = A[1], A[2], A[8]
local opkey = P .. 'reqop:' .. op
local prior = redis.call('GET', opkey)
if prior and redis.call('EXISTS', rkey(prior)) == 1 then return {'dup', snapshot(prior)} end
if role_rank(requester, A[3], A[4]) < RANK.moderator then return {'forbidden'} end

local now = now_ms()
-- The requester's open requests: an index cleaned here of those that ended
-- (or passed their expiry), so no other script needs to maintain it.
local openkey = P .. 'req:open:' .. requester
local open = 0
for _, rid in ipairs(redis.call('ZRANGE', openkey, 0, -1)) do
  local st, exp = unpack(redis.call('HMGET', rkey(rid), 'state', 'expires_ms'))
  if not st or FINAL[st] or ((st == 'pending' or st == 'confirming') and tonumber(exp) <= now) then
    redis.call('ZREM', openkey, rid)
  else
    open = open + 1
  end
end
local max_open = tonumber(A[14] or '0') or 0
if max_open > 0 and open >= max_open then
  audit(now, {actor = requester, action = 'request', kind = A[3], target = A[4], accounts = {}, act = A[15], rc = A[17],
    count = #accounts_of({accounts = A[6]}),
    outcome = 'refused', detail = 'too many open requests (' .. open .. ', the most is ' .. max_open .. ')', op = op})
  return {'toomany', tostring(open), tostring(max_open)}
end
local num = redis.call('INCR', P .. 'req:seq')
local k = rkey(id)
local expires = now + tonumber(A[10])
local owner, epoch, lease_until = A[12], '0', '0'
if owner ~= '' then epoch, lease_until = '1', fmt(now + tonumber(A[13])) end
redis.call('HSET', k, 'id', id, 'number', tostring(num), 'kind', A[3], 'target', A[4],
  'group_type', A[5], 'accounts', A[6], 'account_count', tostring(#accounts_of({accounts = A[6]})),
  'reason', A[7], 'requester', requester,
  'channel', A[9], 'thread_ts', '', 'progress_ts', '',
  'created_ms', fmt(now), 'expires_ms', fmt(expires), 'needed', A[11],
  'state', 'pending', 'decided_by', '', 'decided_ms', '0', 'deny_reason', '',
  'finished_ms', '0', 'retries', '0',
  'lease_owner', owner, 'lease_epoch', epoch, 'lease_until_ms', lease_until,
  'action', A[15], 'duration', A[16], 'reason_code', A[17], 'confirm', A[18], 'confirmed_ms', '0',
  'undo_ms', A[19], 'undo_until_ms', '0', 'undo_of', '', 'undone_by', '', 'preview', A[20],
  'history', A[21])
for i = 22, #A, 2000 do
  local batch = {}
  for j = i, math.min(i + 1999, #A) do batch[#batch + 1] = A[j] end
  redis.call('HSET', k .. ':prior', unpack(batch))
end
redis.call('HSET', k .. ':ops', op, 'create')
redis.call('SET', P .. 'reqnum:' .. num, id)
redis.call('SET', opkey, id, 'PX', KEEP)
local state = 'pending'
if tonumber(A[11]) > 0 then
  redis.call('ZADD', P .. 'req:pending', fmt(expires), id)
  redis.call('SADD', k .. ':owed', 'root')
elseif A[18] == '1' then
  state = 'confirming'
  redis.call('HSET', k, 'state', state)
  redis.call('ZADD', P .. 'req:confirming', fmt(expires), id)
else
  state = 'approved'
  redis.call('HSET', k, 'state', state, 'decided_by', requester, 'decided_ms', fmt(now))
  redis.call('SADD', k .. ':owed', 'root')
end
redis.call('ZADD', openkey, fmt(now), id)
redis.call('PEXPIRE', openkey, tonumber(A[10]) + KEEP)
req_audit(now, hash(k), {actor = requester, action = 'request', outcome = state, detail = A[7], op = op})
settle(id)
return {'ok', snapshot(id)}
