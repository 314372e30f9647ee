import { describe, expect, it } from 'vitest';
import { retryWhileRestarting } from './retry-while-restarting.ts';

const refusal = (code: string, status = 200) => Object.assign(new Error(code), { code, status });

describe('retryWhileRestarting', () => {
  it('retries transport failures, 5xx and "briefly down" refusals, and answers once the call succeeds', async () => {
    const failures = [new TypeError('fetch failed'), Object.assign(new Error('bad gateway'), { status: 502 }), refusal('UNAVAILABLE'), refusal('CONFLICT')];
    let calls = 0;
    const delays: number[] = [];
    const result = await retryWhileRestarting(
      'thing',
      async () => {
        const failure = failures[calls++];
        if (failure) throw failure;
        return 'done';
      },
      { attempts: 10, delayMs: (attempt) => (delays.push(attempt), 1) },
    );
    expect(result).toBe('done');
    expect(calls).toBe(5);
    expect(delays).toEqual([0, 1, 2, 3]);
  });

  it('throws any other refusal at once, and gives up after the attempts naming what kept failing', async () => {
    let calls = 0;
    await expect(retryWhileRestarting('start', async () => (calls++, Promise.reject(refusal('BAD_USER_INPUT'))), { attempts: 5, delayMs: () => 1 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(calls).toBe(1);
    await expect(retryWhileRestarting('start', () => Promise.reject(new TypeError('fetch failed')), { attempts: 3, delayMs: () => 1 })).rejects.toThrow('start kept failing: TypeError: fetch failed');
  });
});
