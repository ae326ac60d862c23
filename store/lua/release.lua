-- release.lua: delete a dedup claim only if owner still holds it.
-- A[1] dedup key (full), A[2] owner token.
-- Replies 1 if deleted, 0 if the key is gone or held by someone else.
if redis.call('GET', A[1]) == A[2] then return redis.call('DEL', A[1]) end
return 0
