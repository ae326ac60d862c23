-- pending.lua: the requests waiting for a decision, soonest expiry first,
-- without their account lists (only counted, here in Redis).
-- A[1] most requests to return.
-- Replies {total, {{field, value, ...}, ...}}.
local key = P .. 'req:pending'
local fields = {'id', 'number', 'kind', 'target', 'group_type', 'requester', 'channel', 'thread_ts',
  'created_ms', 'expires_ms', 'state', 'needed', 'action'}
local out = {}
for _, id in ipairs(redis.call('ZRANGE', key, 0, tonumber(A[1]) - 1)) do
  local k = rkey(id)
  local vals = redis.call('HMGET', k, unpack(fields))
  if vals[1] then
    local row = {}
    for i, f in ipairs(fields) do row[#row + 1] = f; row[#row + 1] = vals[i] or '' end
    local count = redis.call('HGET', k, 'account_count')
    if not count then -- a request stored before account_count existed
      local _, n = string.gsub(redis.call('HGET', k, 'accounts') or '', '\n', '')
      count = tostring(n + 1)
    end
    row[#row + 1] = 'count'; row[#row + 1] = count
    row[#row + 1] = 'approvals'; row[#row + 1] = tostring(redis.call('HLEN', k .. ':approvals'))
    out[#out + 1] = row
  end
end
return {redis.call('ZCARD', key), out}
