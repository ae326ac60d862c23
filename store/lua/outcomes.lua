-- outcomes.lua: record per-account outcomes of an executing request (fenced).
-- A[1] id, A[2] owner, A[3] epoch, then pairs: account, value, where value is
-- 'done', 'skipped\t<why>' or 'failed\t<tencent code>\t<info>'.
-- One audit entry per distinct (status, code), listing its accounts.
-- Replies {'ok'} | {'notfound'} | {'leaselost'} | {'badstate', state}.
local id, owner, epoch = A[1], A[2], A[3]
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return {'notfound'} end
if not fenced(k, owner, epoch) then return {'leaselost'} end
local r = hash(k)
if r.state ~= 'executing' then return {'badstate', r.state} end
local now = now_ms()
local groups, order = {}, {}
for i = 4, #A, 2 do
  local account, value = A[i], A[i + 1]
  redis.call('HSET', k .. ':outcomes', account, value)
  local status, code, info = 'done', '0', ''
  local why = string.match(value, '^skipped\t(.*)$')
  if why then
    status, info = 'skipped', why
  elseif value ~= 'done' then
    status = 'failed'
    code, info = string.match(value, '^failed\t([^\t]*)\t(.*)$')
  end
  local g = status .. '\t' .. code .. '\t' .. (status == 'skipped' and info or '')
  if groups[g] == nil then
    groups[g] = {status = status, code = code, info = info, accounts = {}}
    order[#order + 1] = g
  end
  table.insert(groups[g].accounts, account)
end
for _, g in ipairs(order) do
  local e = groups[g]
  req_audit(now, r, {actor = r.decided_by, action = action_of(r), outcome = e.status, code = e.code,
    detail = e.info, accounts = e.accounts, op = owner})
end
return {'ok'}
