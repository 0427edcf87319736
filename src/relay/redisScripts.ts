// The Lua scripts a RedisHostDirectory runs, each one atomic on the Redis server. Keys: `host:<hostId>`
// holds `<nodeId>/<token>` of the newest connection for that host id (with a TTL, refreshed by its node);
// `conn:<hostId>` counts conn ids so that devices on different nodes never get the same one.

/** KEYS: host, conn. ARGV: value, ttlMs, highestConn. Claims the host id; returns the previous value. */
export const CLAIM = `
local old = redis.call('GET', KEYS[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'NX')
redis.call('PEXPIRE', KEYS[2], 86400000)
return old`;

/**
 * KEYS: host, conn. ARGV: value, ttlMs, highestConn. Refreshes a claim: 1 when still ours (re-made after a
 * Redis restart, with the conn counter re-seeded above every live conn), 0 when a newer connection owns it.
 */
export const REFRESH = `
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[3], 'NX')
redis.call('PEXPIRE', KEYS[2], 86400000)
return 1`;

/** KEYS: host. ARGV: value. Deletes the claim only if it is still ours. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/** KEYS: host, conn. Where the host is, and a fresh conn id for a new device; nil when it is offline. */
export const LOCATE = `
local v = redis.call('GET', KEYS[1])
if not v then return nil end
return {v, redis.call('INCR', KEYS[2])}`;
