import { describe, expect, it } from 'vitest';
import { changeOverrides, effectiveLimits, planTable } from './plan-limits.ts';

const table = planTable({ requestsPerSecond: 50, burst: 100, runsPerMonth: 100_000, concurrentWorkflows: 200 });

describe('plan limits', () => {
  it("gives each plan its row, an unknown or missing plan the team row, and overrides win field by field", () => {
    expect(effectiveLimits(table, 'free', undefined)).toEqual({ plan: 'free', requestsPerSecond: 5, burst: 10, runsPerMonth: 1000, concurrentWorkflows: 5, overridden: [] });
    expect(effectiveLimits(table, undefined, undefined)).toMatchObject({ plan: 'team', requestsPerSecond: 50, concurrentWorkflows: 200 });
    expect(effectiveLimits(table, 'enterprise', { runsPerMonth: 7 })).toEqual({ plan: 'enterprise', requestsPerSecond: 200, burst: 400, runsPerMonth: 7, concurrentWorkflows: 1000, overridden: ['runsPerMonth'] });
  });

  it('sets, clears and keeps overrides, and refuses values that are not positive (whole where counted)', () => {
    const set = changeOverrides({ burst: 3 }, { runsPerMonth: 10, requestsPerSecond: 0.5 });
    expect(set).toEqual({ burst: 3, runsPerMonth: 10, requestsPerSecond: 0.5 });
    expect(changeOverrides(set, { burst: null })).toEqual({ runsPerMonth: 10, requestsPerSecond: 0.5 });
    expect(() => changeOverrides({}, { concurrentWorkflows: 1.5 })).toThrow(/input.concurrentWorkflows must be a positive whole number/);
    expect(() => changeOverrides({}, { requestsPerSecond: 0 })).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', field: 'input.requestsPerSecond' }) }));
  });
});
