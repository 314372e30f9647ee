import { startRedis, type RunningComponent } from '@switchyard/stack';

export { redisServerAvailable } from '@switchyard/stack';

export type RunningRedis = Pick<RunningComponent, 'url' | 'stop'>;

/** Start a real, throwaway redis-server on a free loopback port, without persistence. */
export function startRedisServer(): Promise<RunningRedis> {
  return startRedis();
}
