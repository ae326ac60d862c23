-- feed.lua: the audit feed cursor, advanced by one lease holder at a time.
-- A[1] mode ('next' | 'ack' | 'release'), A[2] owner, A[3] lease ms,
-- A[4] max entries (next) or the last posted entry ID (ack).
-- next: take or keep the lease, reply {'ok', entries after the cursor}.
-- ack: advance the cursor (never backwards) if owner still holds the lease.
-- release: give the lease up if owner holds it.
-- Replies {'ok', ...} | {'held', owner, until_ms} | {'leaselost'}.
local mode, owner, ttl = A[1], A[2], tonumber(A[3])
local key = P .. 'audit:feed'
local holder, until_ms, cursor = unpack(redis.call('HMGET', key, 'owner', 'until_ms', 'cursor'))
holder, cursor = holder or '', cursor or '0-0'
local now = now_ms()

local function newer(a, b) -- stream ID a > b
  local am, as = string.match(a, '^(%d+)-(%d+)$')
  local bm, bs = string.match(b, '^(%d+)-(%d+)$')
  am, as, bm, bs = tonumber(am), tonumber(as), tonumber(bm), tonumber(bs)
  return am > bm or (am == bm and as > bs)
end

if mode == 'next' then
  if holder ~= '' and holder ~= owner and tonumber(until_ms) > now then
    return {'held', holder, until_ms}
  end
  redis.call('HSET', key, 'owner', owner, 'until_ms', fmt(now + ttl))
  local min = fmt(now - RET) .. '-0'
  if newer(min, cursor) then cursor = min end
  -- Entries in P audit:quiet (a sweep's changes beyond its summary line) are never posted: they
  -- are left out, and when they lead, the cursor moves past them here.
  local max, out, lead, from = tonumber(A[4]), {}, nil, '(' .. cursor
  for _ = 1, 10 do
    local batch = redis.call('XRANGE', P .. 'audit', from, '+', 'COUNT', max)
    for _, e in ipairs(batch) do
      if redis.call('ZSCORE', P .. 'audit:quiet', pad(e[1])) then
        if #out == 0 then lead = e[1] end
      else
        out[#out + 1] = e
        if #out >= max then break end
      end
    end
    if #out >= max or #batch < max then break end
    from = '(' .. batch[#batch][1]
  end
  if lead and newer(lead, cursor) then redis.call('HSET', key, 'cursor', lead) end
  return {'ok', out}
end
if holder ~= owner then return {'leaselost'} end
if mode == 'ack' then
  local last = A[4]
  if newer(last, cursor) then redis.call('HSET', key, 'cursor', last) end
  redis.call('HSET', key, 'until_ms', fmt(now + ttl))
elseif mode == 'release' then
  redis.call('HSET', key, 'owner', '', 'until_ms', '0')
end
return {'ok'}
