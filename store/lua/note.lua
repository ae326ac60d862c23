-- note.lua: add a note to an account's case file (moderators and above, read at this moment),
-- audited. Notes are a list, newest first, of "<ms>\t<actor>\t<text>", capped at A[4].
-- A[1] actor, A[2] account, A[3] text, A[4] most notes kept, A[5] op id, A[6] the text as the
-- audit entry shows it (shortened).
-- Replies {'ok', ms} | {'forbidden', role}.
local actor, account, text, keep, op, shown = A[1], A[2], A[3], tonumber(A[4]), A[5], A[6]
if role_rank(actor) < RANK.moderator then
  return {'forbidden', redis.call('HGET', P .. 'allow', actor) or ''}
end
local now = now_ms()
local k = P .. 'notes:' .. account
redis.call('LPUSH', k, fmt(now) .. '\t' .. actor .. '\t' .. text)
redis.call('LTRIM', k, 0, keep - 1)
audit(now, {actor = actor, action = 'note', kind = '', target = '', accounts = {account}, outcome = 'ok',
  detail = shown, op = op})
return {'ok', fmt(now)}
