import type { Redis } from 'ioredis';

export interface BucketRule {
  /** Tokens the bucket holds when full (the burst). */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

export interface TakeResult {
  allowed: boolean;
  /** When not allowed: how long until one token is back. */
  retryAfterMs: number;
  remaining: number;
}

/** Token buckets keyed by tenant or API key: a burst up to `capacity`, then `refillPerSecond` sustained. */
export interface TokenBuckets {
  take(key: string, rule: BucketRule): Promise<TakeResult>;
}

function refill(tokens: number, updatedMs: number, nowMs: number, rule: BucketRule): number {
  return Math.min(rule.capacity, tokens + ((nowMs - updatedMs) / 1000) * rule.refillPerSecond);
}

/** One process's buckets (the default; each gateway replica limits on its own). */
export class MemoryTokenBuckets implements TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  async take(key: string, rule: BucketRule): Promise<TakeResult> {
    const now = Date.now();
    const bucket = this.buckets.get(key) ?? { tokens: rule.capacity, updatedMs: now };
    const tokens = refill(bucket.tokens, bucket.updatedMs, now, rule);
    const allowed = tokens >= 1;
    const left = allowed ? tokens - 1 : tokens;
    if (this.buckets.size > 100_000) this.buckets.clear();
    this.buckets.set(key, { tokens: left, updatedMs: now });
    return { allowed, remaining: Math.floor(left), retryAfterMs: allowed ? 0 : Math.ceil(((1 - left) / rule.refillPerSecond) * 1000) };
  }
}

// Refill and take in one atomic step inside Redis, on Redis's clock, so every gateway replica shares
// one bucket and no two replicas can spend the same token.
const TAKE_SCRIPT = `
local key = KEYS[1]
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', key, 'tokens', 'updated')
local tokens = tonumber(state[1]) or capacity
local updated = tonumber(state[2]) or now
tokens = math.min(capacity, tokens + (now - updated) / 1000 * rate)
local allowed = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
end
redis.call('HSET', key, 'tokens', tostring(tokens), 'updated', tostring(now))
redis.call('PEXPIRE', key, math.ceil(capacity / rate * 1000) + 1000)
local retry = 0
if allowed == 0 then retry = math.ceil((1 - tokens) / rate * 1000) end
return { allowed, math.floor(tokens), retry }
`;

/** Buckets shared by every gateway replica through Redis (REDIS_URL). */
export class RedisTokenBuckets implements TokenBuckets {
  constructor(private readonly redis: Redis) {}

  async take(key: string, rule: BucketRule): Promise<TakeResult> {
    const [allowed, remaining, retryAfterMs] = (await this.redis.eval(TAKE_SCRIPT, 1, `switchyard:bucket:${key}`, rule.capacity, rule.refillPerSecond)) as [number, number, number];
    return { allowed: allowed === 1, remaining, retryAfterMs };
  }
}
