import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import { createLogger } from '@switchyard/service-kit';
import { redisServerAvailable, startRedisServer, type RunningRedis } from '@switchyard/testkit';
import { EventLog } from './event-log.ts';
import { RedisEventNotifier } from './event-notifier.ts';

// .ci/run installs redis-server and sets SWITCHYARD_REQUIRE_REDIS=1, so CI always runs these.
const hasRedis = redisServerAvailable();
if (!hasRedis && process.env.SWITCHYARD_REQUIRE_REDIS) throw new Error('redis-server is required for these tests (apt-get install redis-server)');

describe.skipIf(!hasRedis)('events across replicas through Redis pub/sub (real redis-server)', () => {
  let redis: RunningRedis;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('wakes a reader on another replica as soon as an event is stored, long before it would poll', async () => {
    const logger = createLogger('test', 'silent');
    const store = new SqliteStore({ filename: ':memory:' });
    const replicaA = new EventLog(store, new RedisEventNotifier(redis.url, logger));
    const notifierB = new RedisEventNotifier(redis.url, logger);
    const replicaB = new EventLog(store, notifierB);
    expect(notifierB.pollIntervalMs).toBeGreaterThanOrEqual(2000);
    const woken = new Promise<number>((resolve) => {
      replicaB.onAppend('w-redis', () => resolve(Date.now()));
    });
    await new Promise((resolve) => setTimeout(resolve, 200)); // the SUBSCRIBE reaches Redis
    const appendedAt = Date.now();
    await replicaA.append('t1', 'w-redis', 'LANGGRAPH', { type: 'STEP_STARTED' });
    const delay = (await woken) - appendedAt;
    expect(delay).toBeLessThan(1000);
    expect((await replicaB.list('t1', 'w-redis')).map((e) => e.sequence)).toEqual([1]);
    await replicaA.notifier.close();
    await notifierB.close();
  });
});
