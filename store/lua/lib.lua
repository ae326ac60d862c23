-- lib.lua: helpers shared by every script; store.go prepends it to each one.
--
-- Every script is called with no KEYS and these common ARGV:
--   ARGV[1] key prefix (e.g. "modbot:"); scripts derive every key from it
--           (modbot runs on one node or Sentinel, never Cluster)
--   ARGV[2] audit retention in milliseconds
--   ARGV[3] retention of finished requests in milliseconds
--   ARGV[4...] the script's own arguments, available as A[1], A[2], ...
-- Times come from Redis's own clock (TIME), in Unix milliseconds.

local P = ARGV[1]
local RET = tonumber(ARGV[2])
local KEEP = tonumber(ARGV[3])
local A = {}
for i = 4, #ARGV do A[#A + 1] = ARGV[i] end

local RANK = {viewer = 1, moderator = 2, approver = 3, admin = 4}
local SYSTEM = '@system'
local AUDIT_SHOWN = 20
local FINAL = {done = true, partial = true, failed = true, denied = true, cancelled = true, expired = true,
  undone = true}
local PERMANENT = 4294967295

-- fmt renders a number as an integer string (no exponent).
local function fmt(n) return string.format('%.0f', n) end

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- role_rank is the user's role on the allowlist right now (0 = none): the
-- global one, or with a target (kind 'group' | 'room', id) the effective one
-- there, the higher of the global role and the role scoped to that target
-- (P allow:s:<user>, field '<kind>:<id>').
local function role_rank(user, kind, id)
  local r = RANK[redis.call('HGET', P .. 'allow', user) or ''] or 0
  if kind and kind ~= '' and id and id ~= '' then
    local sr = RANK[redis.call('HGET', P .. 'allow:s:' .. user, kind .. ':' .. id) or ''] or 0
    if sr > r then r = sr end
  end
  return r
end

-- hash reads a whole hash into a table.
local function hash(key)
  local flat = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end

-- pad makes a stream ID sort lexically: "17-3" -> "000...17-000...3".
local function pad(id)
  local ms, seq = string.match(id, '^(%d+)-(%d+)$')
  return string.rep('0', 20 - #ms) .. ms .. '-' .. string.rep('0', 20 - #seq) .. seq
end

-- audit appends one entry to the stream (trimming it by age) and adds the
-- entry to the small per-filter indexes (trimmed alongside). e has: actor,
-- action, kind, target, accounts (list), req, num, outcome, code, detail, op,
-- and optionally count (the accounts concerned when e.accounts does not list them)
-- act (the request's action kind: ban, mute, unmute, unban) and rc (its reason code), each also
-- indexed (audit:act:<kind>, audit:rc:<code>) for /modbot log's action: and reason: filters.
local function audit(now, e)
  local accounts = e.accounts or {}
  local shown = {}
  for i = 1, math.min(#accounts, AUDIT_SHOWN) do shown[i] = accounts[i] end
  local minid = fmt(now - RET) .. '-0'
  local id = redis.call('XADD', P .. 'audit', 'MINID', minid, '*',
    'actor', e.actor or '', 'action', e.action or '',
    'kind', e.kind or '', 'target', e.target or '',
    'accounts', table.concat(shown, '\n'), 'count', tostring(e.count or #accounts),
    'req', e.req or '', 'num', tostring(e.num or ''),
    'outcome', e.outcome or '', 'code', tostring(e.code or 0),
    'detail', e.detail or '', 'op', e.op or '', 'act', e.act or '', 'rc', e.rc or '')
  local member = pad(id)
  local cut = '(' .. pad(minid)
  local function index(key)
    redis.call('ZADD', key, 0, member)
    redis.call('ZREMRANGEBYLEX', key, '-', cut)
    redis.call('PEXPIRE', key, RET)
  end
  if (e.actor or '') ~= '' then index(P .. 'audit:by:' .. e.actor) end
  if (e.target or '') ~= '' then index(P .. 'audit:t:' .. (e.kind or '') .. ':' .. e.target) end
  if (e.req or '') ~= '' then index(P .. 'audit:req:' .. e.req) end
  if (e.act or '') ~= '' then index(P .. 'audit:act:' .. e.act) end
  if (e.rc or '') ~= '' then index(P .. 'audit:rc:' .. e.rc) end
  for _, a in ipairs(accounts) do index(P .. 'audit:acct:' .. a) end
  return id
end

-- rkey is the main hash of a request.
local function rkey(id) return P .. 'req:' .. id end

-- accounts decodes a request's account list.
local function accounts_of(r)
  local list = {}
  for a in string.gmatch(r.accounts or '', '[^\n]+') do list[#list + 1] = a end
  return list
end

-- action_of is a request's action kind (requests stored before actions are unbans).
local function action_of(r)
  if (r.action or '') == '' then return 'unban' end
  return r.action
end

-- req_audit fills an audit entry from a request.
local function req_audit(now, r, e)
  e.kind, e.target, e.req, e.num = r.kind, r.target, r.id, r.number
  e.act = e.act or action_of(r)
  e.rc = e.rc or r.reason_code
  if e.accounts == nil then e.accounts = accounts_of(r) end
  return audit(now, e)
end

-- settle keeps a request's indexes and retention right after any change:
-- it is in the work index while approved, executing or owing Slack side
-- effects; its keys expire KEEP ms after a final state, and persist before.
local function settle(id)
  local k = rkey(id)
  local r = hash(k)
  if r.state == nil then return end
  local busy = r.state == 'approved' or r.state == 'executing' or redis.call('SCARD', k .. ':owed') > 0
  if busy then
    redis.call('ZADD', P .. 'req:work', r.created_ms, id)
  else
    redis.call('ZREM', P .. 'req:work', id)
  end
  local keys = {k, k .. ':approvals', k .. ':outcomes', k .. ':ops', k .. ':owed', k .. ':prior', k .. ':plan',
    P .. 'reqnum:' .. r.number}
  for _, key in ipairs(keys) do
    if FINAL[r.state] then
      redis.call('PEXPIREAT', key, fmt(tonumber(r.finished_ms) + KEEP))
    else
      redis.call('PERSIST', key)
    end
  end
end

-- snapshot is everything about a request, as Go's decodeRequest reads it.
local function snapshot(id)
  local k = rkey(id)
  return {redis.call('HGETALL', k), redis.call('HGETALL', k .. ':approvals'),
    redis.call('HGETALL', k .. ':outcomes'), redis.call('SMEMBERS', k .. ':owed'),
    redis.call('HGETALL', k .. ':prior'), redis.call('HGETALL', k .. ':plan')}
end

-- expire moves a pending or confirming request to expired (the caller
-- checked state and time). A confirming one has no root message yet: only
-- its requester is owed a word.
local function expire(id, r, now)
  local k = rkey(id)
  redis.call('HSET', k, 'state', 'expired', 'decided_by', '', 'decided_ms', fmt(now), 'finished_ms', fmt(now))
  redis.call('ZREM', P .. 'req:pending', id)
  if r.state == 'confirming' then
    redis.call('ZREM', P .. 'req:confirming', id)
    redis.call('SADD', k .. ':owed', 'requester')
    req_audit(now, r, {actor = SYSTEM, action = 'expire', outcome = 'expired', detail = 'not confirmed in time'})
  else
    redis.call('SADD', k .. ':owed', 'expiry', 'requester')
    req_audit(now, r, {actor = SYSTEM, action = 'expire', outcome = 'expired'})
  end
  settle(id)
end

-- fenced reports whether owner still holds the request's lease at epoch
-- (nobody holds a free lease: an empty owner never passes).
local function fenced(k, owner, epoch)
  local o, e = unpack(redis.call('HMGET', k, 'lease_owner', 'lease_epoch'))
  return owner ~= '' and o == owner and e == epoch
end

