"""The Lua scripts that make each step of distributed mode atomic in Redis."""

# Pop the best request and record it as being processed by this worker, atomically.
POP_CLAIM = """
local r = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #r == 0 then return false end
redis.call('ZREM', KEYS[1], r[1])
local field = ARGV[1] .. '|' .. r[2]
redis.call('HSET', KEYS[2], field, r[1])
return {r[1], field}
"""

# Mark a request seen and queue it in one step: a worker killed in between must
# not leave a request that counts as seen but was never queued. ARGV[1] = ''
# (dont_filter): queue without the dupefilter. Returns 1 when queued.
ENQUEUE = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""

# Put a worker's unfinished requests back in the queue. ARGV[2] == '1': only when
# its heartbeat has expired (then it is also forgotten as a worker).
REQUEUE = """
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[4]) == 1 then return -1 end
local h = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #h, 2 do
  local score = string.match(h[i], '|([^|]*)$')
  redis.call('ZADD', KEYS[2], tonumber(score) or 0, h[i + 1])
  n = n + 1
end
redis.call('DEL', KEYS[1])
if ARGV[2] == '1' then redis.call('SREM', KEYS[3], ARGV[1]) end
return n
"""

# Claim an article for writing: {0, ''} claimed; {1, ''} its id was written
# already; {2, url} the same story (outlet + headline within the window) was.
CLAIM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {1, ''} end
if ARGV[3] ~= '' then
  local when = tonumber(ARGV[3])
  local seen = {}
  local raw = redis.call('HGET', KEYS[2], ARGV[2])
  if raw then seen = cjson.decode(raw) end
  for _, e in ipairs(seen) do
    if math.abs(e[1] - when) <= tonumber(ARGV[4]) then return {2, e[2]} end
  end
  table.insert(seen, {when, ARGV[5]})
  redis.call('HSET', KEYS[2], ARGV[2], cjson.encode(seen))
end
redis.call('SADD', KEYS[1], ARGV[1])
return {0, ''}
"""

# Undo a claim whose write failed.
UNCLAIM = """
redis.call('SREM', KEYS[1], ARGV[1])
local raw = redis.call('HGET', KEYS[2], ARGV[2])
if raw then
  local kept = {}
  for _, e in ipairs(cjson.decode(raw)) do
    if e[2] ~= ARGV[3] then table.insert(kept, e) end
  end
  if #kept == 0 then redis.call('HDEL', KEYS[2], ARGV[2])
  else redis.call('HSET', KEYS[2], ARGV[2], cjson.encode(kept)) end
end
return 1
"""

