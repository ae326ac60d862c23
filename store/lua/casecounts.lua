-- casecounts.lua: count what was done to an account since a time, newest first through its audit
-- index, reading at most A[3] entries (only their action and outcome), in one step.
-- A[1] account, A[2] since (padded entry ID), A[3] most entries read.
-- Replies {bans, mutes, unbans, unmutes, newest ban entry ID or '', entries read, entries left}.
local key = P .. 'audit:acct:' .. A[1]
local most = tonumber(A[3])
local members = redis.call('ZREVRANGEBYLEX', key, '+', '[' .. A[2], 'LIMIT', 0, most)
local n = {ban = 0, mute = 0, unban = 0, unmute = 0}
local last = ''
for _, m in ipairs(members) do
  local ms, seq = string.match(m, '^(%d+)-(%d+)$')
  local id = fmt(tonumber(ms)) .. '-' .. fmt(tonumber(seq))
  local e = redis.call('XRANGE', P .. 'audit', id, id)
  if #e == 1 then
    local f, action, outcome = e[1][2], nil, nil
    for i = 1, #f, 2 do
      if f[i] == 'action' then action = f[i + 1] elseif f[i] == 'outcome' then outcome = f[i + 1] end
    end
    if (outcome == 'done' or outcome == 'outside') and n[action] then
      n[action] = n[action] + 1
      if action == 'ban' and last == '' then last = id end
    end
  end
end
local left = 0
if #members == most then left = redis.call('ZLEXCOUNT', key, '[' .. A[2], '(' .. members[#members]) end
return {n.ban, n.mute, n.unban, n.unmute, last, #members, left}
