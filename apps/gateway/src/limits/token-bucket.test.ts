import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { redisServerAvailable, startRedisServer, type RunningRedis } from '@switchyard/testkit';
import { MemoryTokenBuckets, RedisTokenBuckets, type TokenBuckets } from './token-bucket.ts';

const rule = { capacity: 5, refillPerSecond: 10 };

async function burst(buckets: TokenBuckets, key: string, n: number) {
  return Promise.all(Array.from({ length: n }, () => buckets.take(key, rule)));
}

describe('MemoryTokenBuckets', () => {
  it('allows a burst up to capacity, then refuses with a retry time, then refills', async () => {
    const buckets = new MemoryTokenBuckets();
    const results = await burst(buckets, 'k', 7);
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    const refused = results.find((r) => !r.allowed)!;
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(100);
    expect((await buckets.take('other', rule)).allowed).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, refused.retryAfterMs + 20));
    expect((await buckets.take('k', rule)).allowed).toBe(true);
  });
});

const hasRedis = redisServerAvailable();
if (!hasRedis && process.env.SWITCHYARD_REQUIRE_REDIS) throw new Error('redis-server is required for these tests (apt-get install redis-server)');

describe.skipIf(!hasRedis)('RedisTokenBuckets (real redis-server)', () => {
  let redis: RunningRedis;
  const clients: Redis[] = [];
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    for (const client of clients) client.disconnect();
    await redis?.stop();
  });

  it('is one bucket across replicas: 40 concurrent takes from 4 gateways spend exactly the capacity', async () => {
    const replicas = Array.from({ length: 4 }, () => {
      const client = new Redis(redis.url);
      clients.push(client);
      return new RedisTokenBuckets(client);
    });
    const slowRule = { capacity: 5, refillPerSecond: 0.01 };
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => replicas[i % 4]!.take('tenant:acme', slowRule)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
    expect(Math.min(...results.filter((r) => !r.allowed).map((r) => r.retryAfterMs))).toBeGreaterThan(1000);
  });
});
