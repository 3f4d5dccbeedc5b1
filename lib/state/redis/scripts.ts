/**
 * The Lua scripts behind every multi-step update, registered with ioredis's
 * `defineCommand` (EVALSHA, falling back to EVAL once per node). Each script only
 * touches keys of one target (one hash tag), so it runs atomically on one Cluster
 * node. Time always comes from the caller (`now` in ARGV), never from Redis TIME:
 * replicas and tests decide the clock, and Redis keeps only real-time key expiry
 * as garbage collection.
 */
import { type Cluster, type Redis, type Result } from 'ioredis';

/**
 * Prunes expired leases, checks the connection cap, then the rpm/tpm windows
 * (one hash field per second), and only when everything allows it counts the
 * request and tokens and adds the lease. One round trip, no interleaving.
 * KEYS: slots, quota. ARGV: now, lease id, lease expiry, cap (-1 none), rpm (-1),
 * tpm (-1), tokens, bucket index, oldest index in window, bucket ms, window ms,
 * slots key ttl, quota key ttl.
 * Returns {1, count after} or {0, reason, retryAt (-1 none)}.
 */
const ADMIT = `
local now = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local count = redis.call('ZCARD', KEYS[1])
local cap = tonumber(ARGV[4])
if cap >= 0 and count >= cap then return {0, 'connections', -1} end
local rpm, tpm, tokens = tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
if rpm >= 0 or tpm >= 0 then
  local oldest, bucketMs, span = tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11])
  local requests, tokensAt, indexes, stale = {}, {}, {}, {}
  local usedRequests, usedTokens = 0, 0
  local flat = redis.call('HGETALL', KEYS[2])
  for i = 1, #flat, 2 do
    local index = tonumber(string.sub(flat[i], 3))
    local value = tonumber(flat[i + 1])
    if index < oldest then
      stale[#stale + 1] = flat[i]
    else
      if requests[index] == nil and tokensAt[index] == nil then indexes[#indexes + 1] = index end
      if string.sub(flat[i], 1, 1) == 'r' then
        requests[index] = value
        usedRequests = usedRequests + value
      else
        tokensAt[index] = value
        usedTokens = usedTokens + value
      end
    end
  end
  if #stale > 0 then redis.call('HDEL', KEYS[2], unpack(stale)) end
  table.sort(indexes)
  local function freedAt(byIndex, excess)
    local freed = 0
    for _, index in ipairs(indexes) do
      freed = freed + (byIndex[index] or 0)
      if freed >= excess then return (index + 1) * bucketMs + span end
    end
    return now + span
  end
  if rpm >= 0 and usedRequests + 1 > rpm then
    return {0, 'rpm', freedAt(requests, usedRequests + 1 - rpm)}
  end
  -- One request larger than the whole budget still passes when the window is empty.
  if tpm >= 0 and usedTokens + tokens > tpm and usedTokens > 0 then
    return {0, 'tpm', freedAt(tokensAt, usedTokens + tokens - tpm)}
  end
  redis.call('HINCRBY', KEYS[2], 'r:' .. ARGV[8], 1)
  redis.call('HINCRBY', KEYS[2], 't:' .. ARGV[8], ARGV[7])
  redis.call('PEXPIRE', KEYS[2], ARGV[13])
end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[12])
return {1, count + 1}
`;

/**
 * Removes the lease; only when it was still there (first release) corrects the
 * tpm reservation of its second, never below zero.
 * KEYS: slots, quota. ARGV: lease id, now, bucket index ('' for no correction), token delta.
 * Returns {removed 0/1, unexpired count}.
 */
const RELEASE = `
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
if removed == 1 and ARGV[3] ~= '' and redis.call('HEXISTS', KEYS[2], 'r:' .. ARGV[3]) == 1 then
  local field = 't:' .. ARGV[3]
  local value = tonumber(redis.call('HGET', KEYS[2], field) or '0') + tonumber(ARGV[4])
  if value < 0 then value = 0 end
  redis.call('HSET', KEYS[2], field, value)
end
return {removed, redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[2], '+inf')}
`;

/**
 * Adds `by` to one field of an outcome window and sums the window; a different
 * window length starts the window over, as the memory backend does. Shared by the
 * OUTCOME and SYNC scripts.
 */
const COUNT_OUTCOME = `
local function countOutcome(key, span, field, by, oldest, ttl)
  if redis.call('HGET', key, '_span') ~= span then
    redis.call('DEL', key)
    redis.call('HSET', key, '_span', span)
  end
  redis.call('HINCRBY', key, field, by)
  local successes, failures, stale = 0, 0, {}
  local flat = redis.call('HGETALL', key)
  for i = 1, #flat, 2 do
    local kind, index = string.match(flat[i], '^(%a+):(%d+)$')
    if kind then
      if tonumber(index) < oldest then
        stale[#stale + 1] = flat[i]
      elseif kind == 'ok' then
        successes = successes + tonumber(flat[i + 1])
      else
        failures = failures + tonumber(flat[i + 1])
      end
    end
  end
  if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
  redis.call('PEXPIRE', key, ttl)
  return successes, failures
end
`;

/**
 * Counts one outcome in the current bucket and sums the window.
 * KEYS: outcomes. ARGV: window ms, '1' ok / '0' failed, bucket index, oldest index, key ttl.
 * Returns {successes, failures}.
 */
const OUTCOME = `${COUNT_OUTCOME}
local successes, failures = countOutcome(KEYS[1], ARGV[1], (ARGV[2] == '1' and 'ok:' or 'fail:') .. ARGV[3], 1, tonumber(ARGV[4]), ARGV[5])
return {successes, failures}
`;

/**
 * One target's batched changes from slots that cannot be refused (no cap, no quota):
 * slots taken (ZADD with their expiry), slots given back (ZREM), and successful
 * outcomes counted at once. Adds come before removes, so a slot taken and given back
 * within one batch leaves nothing behind.
 * KEYS: slots, outcomes. ARGV: now, slots key ttl, adds, removes, window ms ('' for no
 * outcomes), successes, bucket index, oldest index, outcomes key ttl, then id and expiry
 * of each add, then the id of each remove.
 * Returns {unexpired count, successes, failures}.
 */
const SYNC = `${COUNT_OUTCOME}
local adds, removes, at = tonumber(ARGV[3]), tonumber(ARGV[4]), 10
for _ = 1, adds do
  redis.call('ZADD', KEYS[1], ARGV[at + 1], ARGV[at])
  at = at + 2
end
for _ = 1, removes do
  redis.call('ZREM', KEYS[1], ARGV[at])
  at = at + 1
end
if adds > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
local count = redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf')
if ARGV[5] == '' then return {count, 0, 0} end
local successes, failures = countOutcome(KEYS[2], ARGV[5], 'ok:' .. ARGV[7], tonumber(ARGV[6]), tonumber(ARGV[8]), ARGV[9])
return {count, successes, failures}
`;

/**
 * Folds a batch of samples into the shared moving average, in order.
 * KEYS: latency. ARGV: alpha, key ttl, samples… Returns the new average as text
 * (a number reply would be truncated to an integer).
 */
const LATENCY = `
local value = tonumber(redis.call('GET', KEYS[1]))
local alpha = tonumber(ARGV[1])
for i = 3, #ARGV do
  local sample = tonumber(ARGV[i])
  if value == nil then value = sample else value = value + alpha * (sample - value) end
end
local text = string.format('%.17g', value)
redis.call('SET', KEYS[1], text, 'PX', ARGV[2])
return text
`;

/**
 * Keeps the later cooldown and announces only a real change.
 * KEYS: cooldown. ARGV: until, key ttl, channel, message. Returns {changed 0/1, until in force}.
 */
const COOLDOWN = `
local current = redis.call('GET', KEYS[1])
if current and tonumber(current) >= tonumber(ARGV[1]) then return {0, current} end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {1, ARGV[1]}
`;

/**
 * Stores a breaker transition with a new version, drops the probe claim unless
 * half-open, and announces it; the version lets caches ignore older news that
 * arrives late over the separate pub/sub connection.
 * KEYS: breaker, probe. ARGV: phase, until ('' none), channel, message. Returns the version.
 */
const BREAKER = `
local version = redis.call('HINCRBY', KEYS[1], 'version', 1)
redis.call('HSET', KEYS[1], 'phase', ARGV[1], 'until', ARGV[2])
if ARGV[1] ~= 'half_open' then redis.call('DEL', KEYS[2]) end
redis.call('PUBLISH', ARGV[3], version .. '|' .. ARGV[4])
return version
`;

/**
 * Claims the half-open probe unless a claim made before is still running; the
 * end time is compared with the caller's clock (SET NX PX would use Redis's).
 * KEYS: probe. ARGV: now, ttl ms, claim end. Returns 1 when claimed.
 */
const PROBE = `
local held = tonumber(redis.call('GET', KEYS[1]))
if held ~= nil and held > tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[2])
return 1
`;

/**
 * Everything a replica caches about one target, read in one call.
 * KEYS: slots, latency, cooldown, breaker. ARGV: now.
 * Returns {in-flight, latency|nil, cooldown|nil, phase|nil, until|nil, version|nil}.
 */
const SNAPSHOT = `
local breaker = redis.call('HMGET', KEYS[4], 'phase', 'until', 'version')
return {redis.call('ZCOUNT', KEYS[1], '(' .. ARGV[1], '+inf'), redis.call('GET', KEYS[2]), redis.call('GET', KEYS[3]),
  breaker[1], breaker[2], breaker[3]}
`;

type Arg = string | number;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    llmuxAdmit(slots: string, quota: string, ...args: Arg[]): Result<[0 | 1, number | string, number?], Context>;
    llmuxRelease(slots: string, quota: string, ...args: Arg[]): Result<[0 | 1, number], Context>;
    llmuxOutcome(outcomes: string, ...args: Arg[]): Result<[number, number], Context>;
    llmuxSync(slots: string, outcomes: string, ...args: Arg[]): Result<[number, number, number], Context>;
    llmuxLatency(latency: string, ...args: Arg[]): Result<string, Context>;
    llmuxCooldown(cooldown: string, ...args: Arg[]): Result<[0 | 1, string], Context>;
    llmuxBreaker(breaker: string, probe: string, ...args: Arg[]): Result<number, Context>;
    llmuxProbe(probe: string, ...args: Arg[]): Result<0 | 1, Context>;
    llmuxSnapshot(
      slots: string,
      latency: string,
      cooldown: string,
      breaker: string,
      now: Arg,
    ): Result<[number, string | null, string | null, string | null, string | null, string | null], Context>;
  }
}

/** Registers the scripts on a client; call once per client, before its first command. */
export function defineScripts(client: Redis | Cluster): void {
  client.defineCommand('llmuxAdmit', { numberOfKeys: 2, lua: ADMIT });
  client.defineCommand('llmuxRelease', { numberOfKeys: 2, lua: RELEASE });
  client.defineCommand('llmuxOutcome', { numberOfKeys: 1, lua: OUTCOME });
  client.defineCommand('llmuxSync', { numberOfKeys: 2, lua: SYNC });
  client.defineCommand('llmuxLatency', { numberOfKeys: 1, lua: LATENCY });
  client.defineCommand('llmuxCooldown', { numberOfKeys: 1, lua: COOLDOWN });
  client.defineCommand('llmuxBreaker', { numberOfKeys: 2, lua: BREAKER });
  client.defineCommand('llmuxProbe', { numberOfKeys: 1, lua: PROBE });
  client.defineCommand('llmuxSnapshot', { numberOfKeys: 4, lua: SNAPSHOT, readOnly: true });
}
