-- finish.lua: end an execution: executing -> done | partial | failed (fenced).
-- A[1] id, A[2] owner, A[3] epoch.
-- Accounts without an outcome are recorded failed ("not attempted"); skipped
-- accounts (already in the wanted state) count as settled, not failed. The
-- result and the requester's notice become owed; the lease stays with the
-- owner, who posts them and then releases it.
-- An immediate action with an undo window that left something done opens
-- (or reopens) its window: undo_until_ms = now + undo_ms. An Undo request
-- that finished done or partial makes the request it undoes 'undone' (which
-- then owes 'undo': its root shows it).
-- Replies {'ok', snapshot} | {'notfound'} | {'leaselost'} | {'badstate', state}.
local id, owner, epoch = A[1], A[2], A[3]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
if not fenced(k, owner, epoch) then return {'leaselost'} end
local r = hash(k)
if r.state ~= 'executing' then return {'badstate', r.state} end
local now = now_ms()
local outcomes = hash(k .. ':outcomes')
local done, skipped, failed = 0, 0, 0
for _, a in ipairs(accounts_of(r)) do
  local v = outcomes[a]
  if v == 'done' then
    done = done + 1
  elseif v and string.sub(v, 1, 8) == 'skipped\t' then
    skipped = skipped + 1
  else
    failed = failed + 1
    if v == nil then redis.call('HSET', k .. ':outcomes', a, 'failed\t0\tnot attempted') end
  end
end
local state = 'partial'
if failed == 0 then state = 'done' elseif done + skipped == 0 then state = 'failed' end
redis.call('HSET', k, 'state', state, 'finished_ms', fmt(now))
if tonumber(r.undo_ms or '0') > 0 and done > 0 and (r.undone_by or '') == '' then
  redis.call('HSET', k, 'undo_until_ms', fmt(now + tonumber(r.undo_ms)))
  redis.call('ZADD', P .. 'req:undo', fmt(now + tonumber(r.undo_ms)), id)
end
local undoes = r.undo_of or ''
if undoes ~= '' and state ~= 'failed' then
  local ok = rkey(undoes)
  local ost = redis.call('HGET', ok, 'state')
  if ost == 'done' or ost == 'partial' then
    redis.call('HSET', ok, 'state', 'undone', 'finished_ms', fmt(now))
    redis.call('SADD', ok .. ':owed', 'undo')
    req_audit(now, hash(ok), {actor = r.requester, action = 'undo', outcome = 'undone', accounts = {},
      detail = 'by #' .. r.number .. ': ' .. state, op = owner})
    settle(undoes)
  end
end
redis.call('SADD', k .. ':owed', 'result', 'requester')
req_audit(now, r, {actor = r.decided_by, action = 'finish', outcome = state, accounts = {},
  detail = done .. ' done, ' .. skipped .. ' skipped, ' .. failed .. ' failed', op = owner})
settle(id)
return {'ok', snapshot(id)}
