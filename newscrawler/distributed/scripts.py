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

# Forget one claim: the record id, and its entry in the story's list (matched by url).
# Shared by UNCLAIM and REQUEUE (prepended to both).
_FORGET = """
local function forget(records, stories, id, story, url)
  redis.call('SREM', records, id)
  if story == '' then return end
  local raw = redis.call('HGET', stories, story)
  if not raw then return end
  local kept = {}
  for _, e in ipairs(cjson.decode(raw)) do
    if e[2] ~= url then table.insert(kept, e) end
  end
  if #kept == 0 then redis.call('HDEL', stories, story)
  else redis.call('HSET', stories, story, cjson.encode(kept)) end
end
"""

# Put a worker's unfinished requests back in the queue. ARGV[2] == '1': only when
# its heartbeat has expired; then its pending claims (claimed, write not
# confirmed) are released in the same step, so that the re-queued pages'
# articles can be claimed and written again, and it is forgotten as a worker.
# ARGV[2] == '0' (the worker itself, alive and idle): its pending claims are
# writes that completed (only the confirmation did not reach Redis): kept.
# KEYS: processing, requests, workers, alive, pending, records, stories.
# Returns {requests re-queued, {urls of the claims released}}; {-1, {}} when the worker is alive.
REQUEUE = _FORGET + """
if ARGV[2] == '1' and redis.call('EXISTS', KEYS[4]) == 1 then return {-1, {}} end
local h = redis.call('HGETALL', KEYS[1])
local n = 0
for i = 1, #h, 2 do
  local score = string.match(h[i], '|([^|]*)$')
  redis.call('ZADD', KEYS[2], tonumber(score) or 0, h[i + 1])
  n = n + 1
end
redis.call('DEL', KEYS[1])
local released = {}
if ARGV[2] == '1' then
  local p = redis.call('HGETALL', KEYS[5])
  for i = 1, #p, 2 do
    local claim = cjson.decode(p[i + 1])
    forget(KEYS[6], KEYS[7], p[i], claim[1], claim[2])
    table.insert(released, claim[2])
  end
  redis.call('SREM', KEYS[3], ARGV[1])
end
redis.call('DEL', KEYS[5])
return {n, released}
"""

# Claim an article for writing, provisionally: {0, ''} claimed (and pending for
# this worker until CONFIRM); {1, ''} its id was claimed already; {2, url} the
# same story (outlet + headline within the window) was.
# KEYS: records, stories, pending. ARGV: id, story, epoch or '', window, url.
CLAIM = """
if redis.call('SISMEMBER', KEYS[1], ARGV[1]) == 1 then return {1, ''} end
local story = ''
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
  story = ARGV[2]
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[1], cjson.encode({story, ARGV[5]}))
return {0, ''}
"""

# The write completed: the claim is final. (SADD again: a claim released while
# this worker was stalled past its heartbeat is taken back.) KEYS: pending, records.
CONFIRM = """
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[1])
return 1
"""

# Undo a claim whose write failed. KEYS: records, stories, pending. ARGV: id, story, url.
UNCLAIM = _FORGET + """
forget(KEYS[1], KEYS[2], ARGV[1], ARGV[2], ARGV[3])
redis.call('HDEL', KEYS[3], ARGV[1])
return 1
"""
