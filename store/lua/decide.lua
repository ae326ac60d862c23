-- decide.lua: Approve, Deny or Cancel a pending request, or Confirm or
-- Cancel a confirming one, in one atomic step.
-- A[1] id, A[2] action ('approve' | 'deny' | 'cancel' | 'confirm'), A[3] actor,
-- A[4] op id, A[5] reason (deny only).
-- Checks, in order: the op was already applied (answers 'dup'), the state,
-- expiry against TIME (an overdue request is expired here, once), the
-- requester rule, the actor's role now, distinct approvers.
-- When an approval makes the quorum, everything counted is checked again
-- against the allowlist at that moment: a requester who is no longer a
-- moderator cancels the request ('requester no longer allowed'); an approval
-- whose author is no longer an approver stops counting (its author is kept
-- in the 'dropped' field, and the request stays pending if the quorum is
-- then short).
-- Cancel needs only that the actor is the requester, whatever their role
-- now: withdrawing a request never does anything to anyone.
-- Confirm needs the requester, still a moderator, before expires_at (the
-- confirm window); it makes the request approved and owes its root message.
-- Replies {'ok', snapshot} | {'dup', snapshot} | {'notfound'}
--   | {'decided', state, by, at_ms} | {'expired', at_ms} | {'forbidden'}
--   | {'self'} | {'already'} | {'notrequester'} | {'confirming'} (approve or
--   deny while it waits for Confirm) | {'notconfirming', state} (confirm on a
--   request that never waited for one) | {'confirmexpired', at_ms[, 'here']}.
local id, action, actor, op, reason = A[1], A[2], A[3], A[4], A[5]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
if redis.call('HGET', k .. ':ops', op) == action then return {'dup', snapshot(id)} end
local r = hash(k)
if r.state == 'confirming' then
  if action == 'approve' or action == 'deny' then return {'confirming'} end
elseif action == 'confirm' and r.confirm ~= '1' then
  return {'notconfirming', r.state}
elseif action == 'confirm' and r.state == 'expired' then
  return {'confirmexpired', r.decided_ms}
elseif r.state ~= 'pending' then
  local by = r.decided_by
  if by == SYSTEM then by = '' end
  return {'decided', r.state, by, r.decided_ms}
end
local now = now_ms()
if now >= tonumber(r.expires_ms) then
  expire(id, r, now)
  if action == 'confirm' then return {'confirmexpired', fmt(now), 'here'} end
  return {'expired', fmt(now)}
end

if action == 'approve' then
  if actor == r.requester then return {'self'} end
  if role_rank(actor, r.kind, r.target) < RANK.approver then return {'forbidden'} end
  if redis.call('HSETNX', k .. ':approvals', actor, fmt(now)) == 0 then return {'already'} end
  local given, needed = redis.call('HLEN', k .. ':approvals'), tonumber(r.needed)
  local outcome, cancelled, dropped = 'approval', false, {}
  if given >= needed then
    if role_rank(r.requester, r.kind, r.target) < RANK.moderator then
      cancelled = true
    else
      for _, by in ipairs(redis.call('HKEYS', k .. ':approvals')) do
        if by ~= actor and role_rank(by, r.kind, r.target) < RANK.approver then
          redis.call('HDEL', k .. ':approvals', by)
          dropped[#dropped + 1] = by
        end
      end
      given = given - #dropped
      if given >= needed then outcome = 'approved' end
    end
  end
  req_audit(now, r, {actor = actor, action = 'approve', outcome = outcome,
    detail = given .. ' of ' .. needed, op = op})
  if #dropped > 0 then
    local was = {}
    for a in string.gmatch(r.dropped or '', '[^\n]+') do was[#was + 1] = a end
    for _, a in ipairs(dropped) do was[#was + 1] = a end
    redis.call('HSET', k, 'dropped', table.concat(was, '\n'))
    req_audit(now, r, {actor = SYSTEM, action = 'approval-dropped', outcome = 'dropped', accounts = {},
      detail = 'no longer approvers: ' .. table.concat(dropped, ', '), op = op})
  end
  if cancelled then
    redis.call('HSET', k, 'state', 'cancelled', 'decided_by', SYSTEM, 'decided_ms', fmt(now),
      'finished_ms', fmt(now), 'cancel_reason', 'requester no longer allowed')
    redis.call('ZREM', P .. 'req:pending', id)
    redis.call('SADD', k .. ':owed', 'result', 'requester')
    req_audit(now, r, {actor = SYSTEM, action = 'cancel', outcome = 'cancelled',
      detail = 'requester no longer allowed', op = op})
  elseif outcome == 'approved' then
    redis.call('HSET', k, 'state', 'approved', 'decided_by', actor, 'decided_ms', fmt(now))
    redis.call('ZREM', P .. 'req:pending', id)
  end
elseif action == 'deny' then
  if actor == r.requester then return {'self'} end
  if role_rank(actor, r.kind, r.target) < RANK.approver then return {'forbidden'} end
  redis.call('HSET', k, 'state', 'denied', 'decided_by', actor, 'decided_ms', fmt(now),
    'deny_reason', reason, 'finished_ms', fmt(now))
  redis.call('ZREM', P .. 'req:pending', id)
  redis.call('SADD', k .. ':owed', 'result', 'requester')
  req_audit(now, r, {actor = actor, action = 'deny', outcome = 'denied', detail = reason, op = op})
elseif action == 'cancel' then
  if actor ~= r.requester then return {'notrequester'} end
  redis.call('HSET', k, 'state', 'cancelled', 'decided_by', actor, 'decided_ms', fmt(now),
    'finished_ms', fmt(now))
  redis.call('ZREM', P .. 'req:pending', id)
  redis.call('ZREM', P .. 'req:confirming', id)
  -- a confirming request has no root to show it on: the click's own answer says it
  if r.state == 'pending' then redis.call('SADD', k .. ':owed', 'result') end
  req_audit(now, r, {actor = actor, action = 'cancel', outcome = 'cancelled', op = op})
elseif action == 'confirm' then
  if r.state ~= 'confirming' then return {'notconfirming', r.state} end
  if actor ~= r.requester then return {'notrequester'} end
  if role_rank(actor, r.kind, r.target) < RANK.moderator then return {'forbidden'} end
  redis.call('HSET', k, 'state', 'approved', 'decided_by', actor, 'decided_ms', fmt(now),
    'confirmed_ms', fmt(now))
  redis.call('ZREM', P .. 'req:confirming', id)
  redis.call('SADD', k .. ':owed', 'root')
  req_audit(now, r, {actor = actor, action = 'confirm', outcome = 'approved', op = op})
else
  return redis.error_reply('unknown action ' .. action)
end
redis.call('HSET', k .. ':ops', op, action)
settle(id)
return {'ok', snapshot(id)}
