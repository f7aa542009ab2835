import { RedisScript } from "./redis-script.js";

/**
 * The atomic steps of the Redis store, one Lua script each. Every script touches only the keys it is given, all
 * under one hash tag (one person, or one index), so each runs on a single Cluster slot. Values arrive as flat
 * field/value lists or flat JSON string maps; no script decodes nested JSON (Lua's cjson turns [] into {}).
 */

const HSET_JSON = `
local function hset_json(key, json)
  for k, v in pairs(cjson.decode(json)) do redis.call('HSET', key, k, v) end
end
`;

/** KEYS: key-hash index, key-id index. ARGV: owner ("login\\tid"), login. 1 claimed, 0 taken. */
export const CLAIM_KEY = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
return 1
`);

/**
 * A whole sign-in's completion as one script, so it happens entirely or not at all (Redis stopping mid-way cannot
 * leave a completed sign-in without its key, nor a key without its person). Every check comes before any write.
 * KEYS: 1 key-hash index, 2 key-id index, 3 the sign-in, 4 user, 5 token, 6 key, 7 keyids, 8 the person's page
 * sessions, 9 the list of people, 10 the page session, 11 audit sequence, 12 audit list.
 * ARGV: 1 owner ("login\tid"), 2 lower-case login, 3 login, 4 key id, 5 session id or "", 6 createdAt, 7 user
 * fields, 8 token fields, 9 key fields (flat JSON maps), 10 the page session as JSON or "", 11… audit entries.
 * Returns 1 done, -1 the key's id or hash is taken, 0 the sign-in is no longer pending.
 * The keys span several hash tags: this runs on one Redis endpoint (standalone or failover), not on Cluster.
 */
export const COMPLETE_SIGN_IN_ALL = new RedisScript(`${HSET_JSON}
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
if redis.call('HGET', KEYS[3], 'status') ~= 'pending' then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[2])
redis.call('HSET', KEYS[3], 'status', 'complete', 'login', ARGV[3])
redis.call('HDEL', KEYS[3], 'message')
redis.call('HSETNX', KEYS[4], 'createdAt', ARGV[6])
redis.call('HDEL', KEYS[4], 'name')
hset_json(KEYS[4], ARGV[7])
redis.call('DEL', KEYS[5])
hset_json(KEYS[5], ARGV[8])
hset_json(KEYS[6], ARGV[9])
redis.call('SADD', KEYS[7], ARGV[4])
if ARGV[5] ~= '' then
  redis.call('SADD', KEYS[8], ARGV[5])
  redis.call('SET', KEYS[10], ARGV[10])
end
redis.call('HSET', KEYS[9], ARGV[2], ARGV[3])
for i = 11, #ARGV do
  local id = string.format('%016d', redis.call('INCR', KEYS[11]))
  redis.call('LPUSH', KEYS[12], '{"id":"' .. id .. '",' .. string.sub(ARGV[i], 2))
end
return 1
`);

/** KEYS: user, key, keyids. ARGV: key id, then field/value pairs. 0 when the person does not exist. */
export const ADD_KEY = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], unpack(ARGV, 2))
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`);

/** KEYS: one key. ARGV: at, by. -1 unknown, 0 already revoked (first revocation kept), 1 revoked now. */
export const REVOKE_KEY = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
if redis.call('HEXISTS', KEYS[1], 'revokedAt') == 1 then return 0 end
redis.call('HSET', KEYS[1], 'revokedAt', ARGV[1], 'revokedBy', ARGV[2])
return 1
`);

/**
 * KEYS: user, token, sessions, then each of the person's keys. ARGV: at, by.
 * nil for an unknown person, else {ids of keys revoked now, page session ids to delete}.
 */
export const DISABLE_PERSON = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
if redis.call('HEXISTS', KEYS[1], 'disabledAt') == 0 then
  redis.call('HSET', KEYS[1], 'disabledAt', ARGV[1], 'disabledBy', ARGV[2])
end
local revoked = {}
for i = 4, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 and redis.call('HEXISTS', KEYS[i], 'revokedAt') == 0 then
    redis.call('HSET', KEYS[i], 'revokedAt', ARGV[1], 'revokedBy', ARGV[2])
    revoked[#revoked + 1] = redis.call('HGET', KEYS[i], 'id')
  end
end
redis.call('DEL', KEYS[2])
local sessions = redis.call('SMEMBERS', KEYS[3])
redis.call('DEL', KEYS[3])
return {revoked, sessions}
`);

/** KEYS: user. 0 unknown, 1 enabled. */
export const ENABLE_PERSON = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[1], 'disabledAt', 'disabledBy')
return 1
`);

/** KEYS: a hash. ARGV: field, value. Sets it only on an existing record. */
export const SET_IF_EXISTS = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
`);

/** KEYS: sign-in, sign-in index. ARGV: id, createdAt, field/value pairs. 0 when the id exists. */
export const CREATE_SIGN_IN = new RedisScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
return 1
`);

/** KEYS: sign-in. ARGV: now, next poll time. 1 when pending and due (and moved on). */
export const CLAIM_POLL = new RedisScript(`
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'nextPollAt')) > tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'nextPollAt', ARGV[2])
return 1
`);

/** KEYS: sign-in. ARGV: interval seconds, next poll time. Only while pending. */
export const SET_INTERVAL = new RedisScript(`
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'intervalSeconds', ARGV[1], 'nextPollAt', ARGV[2])
return 1
`);

/** KEYS: sign-in. ARGV: status, login or "", message or "". 1 when it was pending. */
export const END_SIGN_IN = new RedisScript(`
if redis.call('HGET', KEYS[1], 'status') ~= 'pending' then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[1])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[1], 'login', ARGV[2]) else redis.call('HDEL', KEYS[1], 'login') end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'message', ARGV[3]) else redis.call('HDEL', KEYS[1], 'message') end
return 1
`);

/**
 * KEYS: usage, user, key (may not exist). ARGV: "day\\tmodel\\t", requests, input, output, cached, at, login.
 * Adds the counters and moves last-used forward (never back, for a late event).
 */
export const RECORD_USAGE = new RedisScript(`
redis.call('HSETNX', KEYS[1], 'login', ARGV[7])
redis.call('HINCRBY', KEYS[1], ARGV[1] .. 'r', ARGV[2])
redis.call('HINCRBY', KEYS[1], ARGV[1] .. 'i', ARGV[3])
redis.call('HINCRBY', KEYS[1], ARGV[1] .. 'o', ARGV[4])
redis.call('HINCRBY', KEYS[1], ARGV[1] .. 'c', ARGV[5])
for i = 2, 3 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    local last = tonumber(redis.call('HGET', KEYS[i], 'lastUsedAt') or '0')
    if tonumber(ARGV[6]) > last then redis.call('HSET', KEYS[i], 'lastUsedAt', ARGV[6]) end
  end
end
return 1
`);

/** KEYS: audit sequence, audit list. ARGV: the entry as JSON (an object). The id is a zero-padded sequence. */
export const APPEND_AUDIT = new RedisScript(`
local id = string.format('%016d', redis.call('INCR', KEYS[1]))
redis.call('LPUSH', KEYS[2], '{"id":"' .. id .. '",' .. string.sub(ARGV[1], 2))
return id
`);
