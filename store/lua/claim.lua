-- claim.lua: take the lease on a request that needs work.
-- A[1] id, A[2] owner, A[3] lease ms.
-- Work is: approved (becomes executing), executing (resumed), or Slack side
-- effects still owed (any state). A live lease of another owner refuses; a
-- lapsed or free one is taken with epoch+1; the same owner's live lease is
-- extended with the same epoch (so a re-sent claim is harmless).
-- Replies {'ok', snapshot} | {'notfound'} | {'held', owner, until_ms}
--   | {'nowork', state}.
local id, owner, ttl = A[1], A[2], tonumber(A[3])
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
local r = hash(k)
local now = now_ms()
local live = r.lease_owner ~= '' and tonumber(r.lease_until_ms) > now
if live and r.lease_owner ~= owner then return {'held', r.lease_owner, r.lease_until_ms} end
local owed = redis.call('SCARD', k .. ':owed')
if r.state ~= 'approved' and r.state ~= 'executing' and owed == 0 then return {'nowork', r.state} end

local epoch = tonumber(r.lease_epoch)
if not live then epoch = epoch + 1 end
redis.call('HSET', k, 'lease_owner', owner, 'lease_epoch', tostring(epoch), 'lease_until_ms', fmt(now + ttl))
-- exec_claims counts the claims of an execution: above 1 it is a resume, by another owner or by
-- the same one (an earlier attempt may have sent accounts whose outcomes it never recorded).
if r.state == 'approved' then
  redis.call('HSET', k, 'state', 'executing', 'exec_claims', '1')
  req_audit(now, r, {actor = r.decided_by, action = 'execute', outcome = 'executing', detail = owner})
elseif r.state == 'executing' then
  redis.call('HINCRBY', k, 'exec_claims', 1)
  if r.lease_owner ~= '' and r.lease_owner ~= owner then
    req_audit(now, r, {actor = SYSTEM, action = 'resume', outcome = 'executing', accounts = {},
      detail = owner .. ' took over from ' .. r.lease_owner})
  end
end
settle(id)
return {'ok', snapshot(id)}
