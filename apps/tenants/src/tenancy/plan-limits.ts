import { BadUserInputError } from '@switchyard/contracts';

/** The limits a tenant's plan gives it: the gateway's token bucket and the workflows service's quotas. */
export interface PlanLimits {
  /** Requests per second the tenant's bucket refills at the gateway. */
  requestsPerSecond: number;
  /** Requests the bucket holds when full. */
  burst: number;
  runsPerMonth: number;
  concurrentWorkflows: number;
}
export type LimitName = keyof PlanLimits;
export const LIMIT_NAMES: readonly LimitName[] = ['requestsPerSecond', 'burst', 'runsPerMonth', 'concurrentWorkflows'];
export const PLANS = ['free', 'team', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

/** A tenant's effective limits, and which of them a platform admin set for it rather than its plan. */
export interface EffectiveLimits extends PlanLimits {
  plan: string;
  overridden: LimitName[];
}

/**
 * The plan table (decision 023): `team`, the default plan, is the platform-wide settings the
 * services always had (RATE_LIMIT_TENANT_*, QUOTA_*); `free` is fixed and small, `enterprise` a
 * multiple of team.
 */
export function planTable(team: PlanLimits): Record<Plan, PlanLimits> {
  return {
    free: { requestsPerSecond: Math.min(5, team.requestsPerSecond), burst: Math.min(10, team.burst), runsPerMonth: Math.min(1000, team.runsPerMonth), concurrentWorkflows: Math.min(5, team.concurrentWorkflows) },
    team,
    enterprise: { requestsPerSecond: team.requestsPerSecond * 4, burst: team.burst * 4, runsPerMonth: team.runsPerMonth * 10, concurrentWorkflows: team.concurrentWorkflows * 5 },
  };
}

export function effectiveLimits(table: Record<Plan, PlanLimits>, plan: string | undefined, overrides: Partial<PlanLimits> | undefined): EffectiveLimits {
  const name = (PLANS as readonly string[]).includes(plan ?? '') ? (plan as Plan) : 'team';
  const overridden = LIMIT_NAMES.filter((limit) => typeof overrides?.[limit] === 'number');
  return { ...table[name], ...Object.fromEntries(overridden.map((limit) => [limit, overrides![limit]])), plan: name, overridden };
}

/**
 * Apply a platform admin's change to a tenant's overrides: a number sets the limit, null gives it
 * back to the plan, a missing field keeps it. Refused with BAD_USER_INPUT naming the field.
 */
export function changeOverrides(current: Partial<PlanLimits> | undefined, input: Partial<Record<LimitName, number | null>>): Partial<PlanLimits> {
  const next: Partial<PlanLimits> = { ...current };
  for (const limit of LIMIT_NAMES) {
    if (!(limit in input) || input[limit] === undefined) continue;
    const value = input[limit];
    if (value === null) {
      delete next[limit];
      continue;
    }
    const integer = limit !== 'requestsPerSecond';
    if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value)) || value > 1e9) {
      throw new BadUserInputError(`input.${limit} must be a positive ${integer ? 'whole number' : 'number'} up to 1e9, or null to use the plan's value.`, { field: `input.${limit}` });
    }
    next[limit] = value;
  }
  return next;
}
