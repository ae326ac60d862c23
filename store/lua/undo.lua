-- undo.lua: Undo a done or partial immediate action within its window, in
-- one atomic step: create its Undo request (approved at once, no Undo of its
-- own, the same root thread, the inverse action) with a per-account plan
-- derived from the prior states, and mark the original undone_by it.
-- A[1] id, A[2] actor, A[3] op id, A[4] id of the new Undo request.
-- Allowed for approvers and for the requester (while still a moderator),
-- once, before undo_until_ms by TIME. Only accounts whose outcome is 'done'
-- are planned (the others were not changed). Plan values are seconds:
-- 0 lifts the ban or mute, PERMANENT is for ever, else what was left of the
-- earlier ban or mute (rounded up). An account of an unban or unmute with no
-- earlier ban or mute left to restore is recorded skipped on the Undo request.
-- Replies {'ok', snapshot of the Undo request} | {'dup', snapshot} | {'notfound'}
--   | {'notundoable', why} | {'undone', undo id, by, at_ms}
--   | {'windowclosed', until_ms} | {'forbidden'} | {'nothing'}.
local id, actor, op, uid = A[1], A[2], A[3], A[4]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
local done_op = redis.call('HGET', k .. ':ops', op)
if done_op and string.sub(done_op, 1, 5) == 'undo:' then
  local prev = string.sub(done_op, 6)
  if redis.call('EXISTS', rkey(prev)) == 1 then return {'dup', snapshot(prev)} end
  return {'notfound'}
end
local r = hash(k)
if (r.undo_of or '') ~= '' then return {'notundoable', 'an Undo cannot be undone'} end
if tonumber(r.undo_ms or '0') == 0 then return {'notundoable', 'no Undo offered'} end
if (r.undone_by or '') ~= '' then return {'undone', r.undone_by, r.undo_actor, r.undo_at_ms} end
if r.state ~= 'done' and r.state ~= 'partial' then return {'notundoable', 'state ' .. r.state} end
local now = now_ms()
local undo_until = tonumber(r.undo_until_ms or '0')
-- no window was opened when the finish left nothing done: 'nothing' below
if undo_until > 0 and now >= undo_until then return {'windowclosed', r.undo_until_ms} end
local rank = role_rank(actor, r.kind, r.target)
if not (rank >= RANK.approver or (actor == r.requester and rank >= RANK.moderator)) then
  return {'forbidden'}
end

local action = action_of(r)
local inverse = ({ban = 'unban', mute = 'unmute', unmute = 'mute', unban = 'ban'})[action]
local lifted = action == 'unban' or action == 'unmute'
local word = 'banned'
if action == 'mute' or action == 'unmute' then word = 'muted' end
local outcomes = hash(k .. ':outcomes')
local prior = hash(k .. ':prior')
local list, plan, skipped = {}, {}, {}
for _, a in ipairs(accounts_of(r)) do
  if outcomes[a] == 'done' then
    list[#list + 1] = a
    local p = prior[a]
    local secs = 0
    if p == 'p' then
      secs = PERMANENT
    elseif p ~= nil and p ~= '-' then
      secs = math.ceil((tonumber(p) - now) / 1000)
      if secs < 0 then secs = 0 end
      if secs >= PERMANENT then secs = PERMANENT - 1 end
    end
    if lifted and secs == 0 then
      local why = 'not ' .. word .. ' before'
      if p == nil then why = 'earlier state unknown' elseif p ~= '-' then why = 'earlier ' .. string.sub(word, 1, -3) .. ' has ended' end
      skipped[#skipped + 1] = a
      skipped[#skipped + 1] = 'skipped\tnothing to restore: ' .. why
    else
      plan[#plan + 1] = a
      plan[#plan + 1] = fmt(secs)
    end
  end
end
if #list == 0 then return {'nothing'} end

local num = redis.call('INCR', P .. 'req:seq')
local u = rkey(uid)
redis.call('HSET', u, 'id', uid, 'number', tostring(num), 'kind', r.kind, 'target', r.target,
  'group_type', r.group_type or '', 'accounts', table.concat(list, '\n'), 'account_count', tostring(#list),
  'reason', 'Undo of #' .. r.number, 'requester', actor,
  'channel', r.channel or '', 'thread_ts', r.thread_ts or '', 'progress_ts', '',
  'created_ms', fmt(now), 'expires_ms', fmt(now), 'needed', '0',
  'state', 'approved', 'decided_by', actor, 'decided_ms', fmt(now), 'deny_reason', '',
  'finished_ms', '0', 'retries', '0', 'lease_owner', '', 'lease_epoch', '0', 'lease_until_ms', '0',
  'action', inverse, 'duration', '0', 'reason_code', r.reason_code or '', 'confirm', '0', 'confirmed_ms', '0',
  'undo_ms', '0', 'undo_until_ms', '0', 'undo_of', id, 'undo_of_num', r.number, 'undone_by', '', 'preview', '')
for i = 1, #plan, 2000 do
  redis.call('HSET', u .. ':plan', unpack(plan, i, math.min(i + 1999, #plan)))
end
for i = 1, #skipped, 2000 do
  redis.call('HSET', u .. ':outcomes', unpack(skipped, i, math.min(i + 1999, #skipped)))
end
redis.call('HSET', u .. ':ops', op, 'undo')
redis.call('SET', P .. 'reqnum:' .. num, uid)
if (r.thread_ts or '') == '' then redis.call('SADD', u .. ':owed', 'root') end

redis.call('HSET', k, 'undone_by', uid, 'undo_actor', actor, 'undo_at_ms', fmt(now))
redis.call('HSET', k .. ':ops', op, 'undo:' .. uid)
redis.call('SADD', k .. ':owed', 'undo')
redis.call('ZREM', P .. 'req:undo', id)
req_audit(now, r, {actor = actor, action = 'undo', outcome = 'requested', accounts = list,
  detail = 'by #' .. num, op = op})
req_audit(now, hash(u), {actor = actor, action = 'request', outcome = 'approved',
  detail = 'Undo of #' .. r.number, op = op})
settle(uid)
settle(id)
return {'ok', snapshot(uid)}
