-- get.lua: read requests consistently.
-- A[1...] request ids.
-- Replies {snapshot or 'notfound', ...}, one per id.
local out = {}
for i, id in ipairs(A) do
  if redis.call('EXISTS', rkey(id)) == 1 then out[i] = snapshot(id) else out[i] = 'notfound' end
end
return out
