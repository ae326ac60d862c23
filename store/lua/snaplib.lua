-- snaplib.lua: helpers of the watched-target scripts (watch.lua, sweepcommit.lua); store
-- prepends lib.lua and this file to them.
--
-- A snapshot is one string per target and list, P snap:<num>:<l> (l = 'b' bans, 'm' mutes):
-- rows "<account> <until, Unix seconds>\n", sorted. The index by account is P snap:ix:<bucket>,
-- hashes of account -> tokens "<num><l><until>" separated by spaces; bucket = h % IX_BUCKETS
-- with h = (h * 31 + byte) mod 2^32 over the account's bytes (store/snapshot.go computes the
-- same), so a bucket holds few accounts and stays a compact listpack.
local IX_BUCKETS = 16384

local function ixkey(a)
  local h = 0
  for i = 1, #a do h = (h * 31 + string.byte(a, i)) % 4294967296 end
  return P .. 'snap:ix:' .. fmt(h % IX_BUCKETS)
end

-- ix_put sets (until given) or removes (until nil) the token tag..until of account a.
local function ix_put(a, tag, until_s)
  local k = ixkey(a)
  local v = redis.call('HGET', k, a) or ''
  local out = {}
  for tok in string.gmatch(v, '%S+') do
    if not (string.sub(tok, 1, #tag) == tag and string.match(string.sub(tok, #tag + 1), '^%d+$')) then
      out[#out + 1] = tok
    end
  end
  if until_s then out[#out + 1] = tag .. until_s end
  if #out == 0 then
    redis.call('HDEL', k, a)
  else
    redis.call('HSET', k, a, table.concat(out, ' '))
  end
end

-- snap_rows calls fn(account, until) for every row of a snapshot string.
local function snap_rows(blob, fn)
  for a, u in string.gmatch(blob or '', '([^\n ]+) (%d+)') do fn(a, u) end
end
