-- append.lua: append one audit entry (with its indexes) for the caller.
-- A[1] actor, A[2] action, A[3] target kind, A[4] target id,
-- A[5] accounts ("\n"-joined), A[6] request id, A[7] request number,
-- A[8] outcome, A[9] code, A[10] detail, A[11] op id, A[12] account count
-- (when more than the accounts listed; '' or 0 = as many as listed), A[13] action kind ('' = none),
-- A[14] reason code ('' = none).
-- Replies the entry ID.
local accounts = {}
for a in string.gmatch(A[5], '[^\n]+') do accounts[#accounts + 1] = a end
local count = tonumber(A[12] or '')
if count == nil or count < #accounts then count = #accounts end
return audit(now_ms(), {actor = A[1], action = A[2], kind = A[3], target = A[4], accounts = accounts,
  req = A[6], num = A[7], outcome = A[8], code = A[9], detail = A[10], op = A[11], count = count,
  act = A[13], rc = A[14]})
