import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { baseServiceEnv, parseEnv } from './env.ts';

const SECRET = 'x'.repeat(32);
const withRedis = baseServiceEnv.extend({ REDIS_URL: z.string().url().optional() });

function problems(schema: z.ZodType, env: NodeJS.ProcessEnv): string[] {
  try {
    parseEnv(schema, env);
    return [];
  } catch (error) {
    return (error as Error).message.split('\n').slice(1).map((line) => line.trim());
  }
}

describe('parseEnv', () => {
  it('names every problem at once, a malformed value and a missing one', () => {
    expect(problems(baseServiceEnv, { PORT: 'eighty', SWITCHYARD_CONTEXT_SECRET: 'short' })).toEqual([
      expect.stringMatching(/^PORT: /),
      expect.stringMatching(/^SWITCHYARD_CONTEXT_SECRET: must be at least 32 characters/),
    ]);
  });

  it('refuses a Cosmos store without its endpoint, beside the other problems', () => {
    expect(problems(baseServiceEnv, { PORT: '1', SWITCHYARD_CONTEXT_SECRET: SECRET, STORE_DRIVER: 'cosmos', LOG_LEVEL: 'loud' })).toEqual([
      expect.stringMatching(/^LOG_LEVEL: /),
      expect.stringMatching(/^COSMOS_ENDPOINT: required when STORE_DRIVER=cosmos/),
    ]);
  });

  it('in distributed mode refuses what one replica would keep to itself: SQLite, and no Redis where the service uses it', () => {
    expect(problems(withRedis, { PORT: '1', SWITCHYARD_CONTEXT_SECRET: SECRET, SWITCHYARD_MODE: 'distributed' })).toEqual([
      expect.stringMatching(/^STORE_DRIVER: must be cosmos when SWITCHYARD_MODE=distributed, not sqlite/),
      expect.stringMatching(/^REDIS_URL: required when SWITCHYARD_MODE=distributed/),
    ]);
    // A service that does not read REDIS_URL is not asked for it.
    expect(problems(baseServiceEnv, { PORT: '1', SWITCHYARD_CONTEXT_SECRET: SECRET, SWITCHYARD_MODE: 'distributed', STORE_DRIVER: 'cosmos', COSMOS_ENDPOINT: 'https://127.0.0.1:8081/' })).toEqual([]);
    expect(problems(baseServiceEnv, { PORT: '1', SWITCHYARD_CONTEXT_SECRET: SECRET, SWITCHYARD_MODE: 'several' })).toEqual([expect.stringMatching(/^SWITCHYARD_MODE: /)]);
  });

  it('in distributed mode refuses vectors kept in a local SQLite file beside a Cosmos store', () => {
    const withVectors = baseServiceEnv.extend({ VECTOR_INDEX_DRIVER: z.enum(['sqlite', 'cosmos']).optional() });
    const distributed = { PORT: '1', SWITCHYARD_CONTEXT_SECRET: SECRET, SWITCHYARD_MODE: 'distributed', STORE_DRIVER: 'cosmos', COSMOS_ENDPOINT: 'https://127.0.0.1:8081/' };
    expect(problems(withVectors, { ...distributed, VECTOR_INDEX_DRIVER: 'sqlite' })).toEqual([expect.stringMatching(/^VECTOR_INDEX_DRIVER: must not be sqlite when SWITCHYARD_MODE=distributed/)]);
    expect(problems(withVectors, { ...distributed, VECTOR_INDEX_DRIVER: 'cosmos' })).toEqual([]);
    expect(problems(withVectors, { ...distributed, SWITCHYARD_MODE: 'single', VECTOR_INDEX_DRIVER: 'sqlite' })).toEqual([]);
  });

  it('accepts a complete distributed configuration', () => {
    const env = parseEnv(withRedis, {
      PORT: '4003',
      SWITCHYARD_CONTEXT_SECRET: SECRET,
      SWITCHYARD_MODE: 'distributed',
      STORE_DRIVER: 'cosmos',
      COSMOS_ENDPOINT: 'https://127.0.0.1:8081/',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
    expect(env).toMatchObject({ SWITCHYARD_MODE: 'distributed', STORE_DRIVER: 'cosmos', PORT: 4003 });
  });
});
