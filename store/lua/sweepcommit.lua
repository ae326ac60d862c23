-- sweepcommit.lua: store what one sweep of one watched target found, atomically: the new
-- snapshots and their index rows, an audit entry for every reported change (quiet ones, posted
-- to the feed as one summary, are listed in P audit:quiet), and the target's sweep record.
-- Fenced by the sweep lease (which it renews). The same op sent again (go-redis re-sending
-- after a timeout) changes nothing and replies 'repeat'.
-- A[1] owner, A[2] epoch, A[3] lease ms, A[4] JSON:
--   {kind, id, num, op, round, swept (bool: last_sweep_ms moves), state, note, bans, mutes, gone,
--    recent, lists: [{l, blob, set: [[account, until]...], del: [account...]}],
--    entries: [{actor, action, account, outcome, detail, quiet}], summary: {actor, detail, count}}
-- Replies {'ok'} | {'repeat'} | {'leaselost'} | {'notwatched'}.
local owner, epoch, ttl = A[1], A[2], tonumber(A[3])
local lk = P .. 'sweep'
local o, e, u = unpack(redis.call('HMGET', lk, 'owner', 'epoch', 'until_ms'))
local now = now_ms()
if owner == '' or o ~= owner or e ~= epoch or tonumber(u or '0') <= now then return {'leaselost'} end
redis.call('HSET', lk, 'until_ms', fmt(now + ttl))
local c = cjson.decode(A[4])
local wk = P .. 'watch:' .. c.kind .. ':' .. c.id
local w = hash(wk)
if w.num == nil or w.num ~= c.num then return {'notwatched'} end
if w.last_op == c.op then return {'repeat'} end
for _, l in ipairs(c.lists or {}) do
  local sk = P .. 'snap:' .. c.num .. ':' .. l.l
  if l.blob == '' then redis.call('DEL', sk) else redis.call('SET', sk, l.blob) end
  for _, r in ipairs(l.set or {}) do ix_put(r[1], c.num .. l.l, r[2]) end
  for _, a in ipairs(l.del or {}) do ix_put(a, c.num .. l.l, nil) end
end
local qk = P .. 'audit:quiet'
local quiet = false
for _, x in ipairs(c.entries or {}) do
  local id = audit(now, {actor = x.actor, action = x.action, kind = c.kind, target = c.id,
    accounts = {x.account}, outcome = x.outcome, detail = x.detail, op = c.op})
  if x.quiet then
    redis.call('ZADD', qk, 0, pad(id))
    quiet = true
  end
end
if quiet then
  redis.call('ZREMRANGEBYLEX', qk, '-', '(' .. pad(fmt(now - RET) .. '-0'))
  redis.call('PEXPIRE', qk, RET)
end
if c.summary then
  audit(now, {actor = c.summary.actor, action = c.summary.action, kind = c.kind, target = c.id, accounts = {},
    count = c.summary.count, outcome = c.summary.outcome, detail = c.summary.detail, op = c.op})
end
redis.call('HSET', wk, 'last_op', c.op, 'last_try_ms', fmt(now), 'round', tostring(c.round), 'state', c.state, 'note', c.note or '',
  'gone', c.gone or '', 'recent', c.recent or '',
  'changes', fmt(tonumber(w.changes or '0') + #(c.entries or {})))
if c.swept then
  redis.call('HSET', wk, 'last_sweep_ms', fmt(now), 'bans', tostring(c.bans), 'mutes', tostring(c.mutes))
end
return {'ok'}
