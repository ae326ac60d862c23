-- sweeplease.lua: the sweep lease (P sweep: owner, epoch, until_ms, round_ms, due_ms), one
-- replica at a time sweeping the watched targets every interval.
-- A[1] mode ('claim' | 'renew' | 'finish' | 'release'), A[2] owner, A[3] epoch (not claim),
-- A[4] lease ms (claim, renew), A[5] interval ms (finish).
-- claim: if nobody else holds a live lease and the next sweep is due (or a round is open: a
-- sweep stopped half-way), take it; a new owner gets epoch+1. A round starts at the first
-- claim after the last finish; targets swept since it started are not swept again.
-- Replies {'ok', epoch, until_ms, round_ms, round number} | {'held', owner, until_ms} | {'notdue', due_ms}
-- | {'leaselost'}.
local mode, owner, epoch, ttl = A[1], A[2], A[3], tonumber(A[4] or '0')
local key = P .. 'sweep'
local s = hash(key)
local now = now_ms()
local holder, live = s.owner or '', tonumber(s.until_ms or '0') > now
if mode == 'claim' then
  if holder ~= '' and holder ~= owner and live then return {'held', holder, s.until_ms} end
  local round = s.round_ms or ''
  if round == '' and tonumber(s.due_ms or '0') > now then return {'notdue', s.due_ms} end
  local e = tonumber(s.epoch or '0')
  if holder ~= owner or not live then e = e + 1 end
  local seq = s.rounds or '0'
  if round == '' then
    round = fmt(now)
    seq = fmt(redis.call('HINCRBY', key, 'rounds', 1))
  end
  redis.call('HSET', key, 'owner', owner, 'epoch', fmt(e), 'until_ms', fmt(now + ttl), 'round_ms', round)
  return {'ok', fmt(e), fmt(now + ttl), round, seq}
end
if holder ~= owner or (s.epoch or '') ~= epoch or not live then return {'leaselost'} end
if mode == 'renew' then
  redis.call('HSET', key, 'until_ms', fmt(now + ttl))
  return {'ok', epoch, fmt(now + ttl), s.round_ms or '', s.rounds or '0'}
elseif mode == 'finish' then
  local due = math.max(tonumber(s.round_ms or '0') + tonumber(A[5]), now)
  redis.call('HSET', key, 'owner', '', 'until_ms', '0', 'round_ms', '', 'due_ms', fmt(due), 'last_ms', fmt(now))
elseif mode == 'release' then
  redis.call('HSET', key, 'owner', '', 'until_ms', '0')
end
return {'ok', epoch, '0', s.round_ms or '', s.rounds or '0'}
