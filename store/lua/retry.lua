-- retry.lua: "Retry failed": partial | failed -> executing, failed accounts reset.
-- The failed accounts lose their outcome, so the executor sends them to
-- Tencent again (Request.Retries > 0 tells it not to skip any of them on a
-- state re-read); done and skipped accounts keep theirs.
-- A[1] id, A[2] actor, A[3] op id.
-- Allowed for approvers and for the requester (while still a moderator).
-- The lease is left free: the caller claims it with claim.lua.
-- A request being undone (undone_by set) is not retried: its Undo request is.
-- Replies {'ok', snapshot} | {'dup', snapshot} | {'notfound'}
--   | {'notretryable', state} | {'forbidden'} | {'undone', undo id, by, at_ms}.
local id, actor, op = A[1], A[2], A[3]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
if redis.call('HGET', k .. ':ops', op) == 'retry' then return {'dup', snapshot(id)} end
local r = hash(k)
if r.state ~= 'partial' and r.state ~= 'failed' then return {'notretryable', r.state} end
if (r.undone_by or '') ~= '' then return {'undone', r.undone_by, r.undo_actor, r.undo_at_ms} end
local rank = role_rank(actor, r.kind, r.target)
if not (rank >= RANK.approver or (actor == r.requester and rank >= RANK.moderator)) then
  return {'forbidden'}
end
local now = now_ms()
local failed = {}
local outcomes = hash(k .. ':outcomes')
for _, a in ipairs(accounts_of(r)) do
  local v = outcomes[a]
  if v ~= 'done' and not (v and string.sub(v, 1, 8) == 'skipped\t') then
    failed[#failed + 1] = a
    redis.call('HDEL', k .. ':outcomes', a)
  end
end
redis.call('HSET', k, 'state', 'executing', 'finished_ms', '0', 'retries', tostring(tonumber(r.retries) + 1),
  'lease_owner', '', 'lease_until_ms', '0')
redis.call('SREM', k .. ':owed', 'result', 'requester')
redis.call('HSET', k .. ':ops', op, 'retry')
req_audit(now, r, {actor = actor, action = 'retry', outcome = 'executing', accounts = failed, op = op})
settle(id)
return {'ok', snapshot(id)}
