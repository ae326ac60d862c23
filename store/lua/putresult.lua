-- putresult.lua: keep a result for paging, within a total size.
-- A[1] id, A[2] payload, A[3] ttl ms, A[4] most bytes of all results kept.
-- Every result is listed in result:sizes (a hash id -> bytes) and result:ends
-- (a sorted set by expiry); those past their expiry are dropped from both
-- first, so the total is what Redis holds now.
-- Replies {'ok'} | {'full'}.
local now = now_ms()
local sizes, ends = P .. 'result:sizes', P .. 'result:ends'
local gone = redis.call('ZRANGEBYSCORE', ends, '-inf', fmt(now))
for _, id in ipairs(gone) do redis.call('HDEL', sizes, id) end
if #gone > 0 then redis.call('ZREMRANGEBYSCORE', ends, '-inf', fmt(now)) end
local total = 0
for _, v in ipairs(redis.call('HVALS', sizes)) do total = total + tonumber(v) end
local size = string.len(A[2])
if total + size > tonumber(A[4]) then return {'full'} end
local ttl = tonumber(A[3])
redis.call('SET', P .. 'result:' .. A[1], A[2], 'PX', ttl)
redis.call('HSET', sizes, A[1], size)
redis.call('ZADD', ends, fmt(now + ttl), A[1])
redis.call('PEXPIRE', sizes, ttl)
redis.call('PEXPIRE', ends, ttl)
return {'ok'}
