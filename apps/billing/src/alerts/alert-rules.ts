import { randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import type { Deliverable, Outbox } from '../budgets/webhook-dispatcher.ts';
import { initialState, type AlertCondition, type AlertMetric, type DetectorRule, type DetectorState } from './alert-detector.ts';

export interface AlertRuleDoc extends DetectorRule {
  id: string;
  tenantId: string;
  name: string;
  /** The window the value is measured over, ending at the evaluation. */
  windowSeconds: number;
  /** Fewest runs (ERROR_RATE) or model calls (MODEL_LATENCY_P95_MS) a window needs to count. */
  minSamples: number;
  enabled: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A rule's evaluation state: one document per rule, replaced with its etag by the one evaluator that wins. */
export interface AlertRuleStateDoc extends DetectorState {
  id: string;
  tenantId: string;
  /** The rule's updatedAt this state belongs to; a changed rule starts again from nothing. */
  ruleUpdatedAt: string;
  /** Firing episodes so far; event ids are `<rule>:<episode>:<kind>`, so each is written once. */
  episode: number;
  lastValue: number | null;
  lastZ: number | null;
  lastBaseline: number | null;
  lastEvaluatedAt: string | null;
  firingSince: string | null;
  /** The event this evaluation made, until it is stored (a crash in between is finished by the next evaluation). */
  pendingEvent?: AlertEventDoc | null;
}

export type AlertEventKind = 'FIRING' | 'RESOLVED';

export interface AlertEventDoc extends Deliverable {
  id: string;
  tenantId: string;
  ruleId: string;
  ruleName: string;
  metric: AlertMetric;
  condition: AlertCondition;
  kind: AlertEventKind;
  episode: number;
  /** The value of the evaluation that fired or resolved the rule (null: the window had too few samples). */
  value: number | null;
  threshold: number | null;
  baseline: number | null;
  z: number | null;
  windowSeconds: number;
  at: string;
}

export interface AlertRuleInput {
  id?: string | null;
  name: string;
  metric: AlertMetric;
  condition: AlertCondition;
  threshold?: number | null;
  zScore?: number | null;
  windowSeconds?: number | null;
  minSamples?: number | null;
  minBaseline?: number | null;
  resolveAfter?: number | null;
  enabled?: boolean | null;
}

export const MAX_RULES_PER_TENANT = 20;

export function alertCollections(store: DocumentStore) {
  return {
    rules: store.collection<AlertRuleDoc>('alert_rules', { indexes: ['enabled', 'createdAt'] }),
    states: store.collection<AlertRuleStateDoc>('alert_rule_states'),
    events: store.collection<AlertEventDoc>('alert_events', { indexes: ['ruleId', 'at', 'deliveryState', 'nextAttemptAt'] }),
  };
}

/** Alert events as the webhook dispatcher delivers them (types `alert.firing` and `alert.resolved`). */
export function alertEventOutbox(events: Collection<AlertEventDoc>): Outbox<AlertEventDoc> {
  return {
    kind: 'alertEvent',
    collection: events,
    body: (event) => ({
      type: event.kind === 'FIRING' ? 'alert.firing' : 'alert.resolved',
      id: event.id,
      tenantId: event.tenantId,
      rule: { id: event.ruleId, name: event.ruleName, metric: event.metric, condition: event.condition },
      value: event.value,
      threshold: event.threshold,
      baseline: event.baseline,
      zScore: event.z,
      windowSeconds: event.windowSeconds,
      at: event.at,
    }),
  };
}

const integer = (value: number | null | undefined, fallback: number, min: number, max: number, field: string, what: string): number => {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < min || n > max) throw new BadUserInputError(`input.${field} must be a whole number from ${min} to ${max} (${what}).`, { field: `input.${field}` });
  return n;
};

/** Alert rules and the events they raised, per tenant (decision 022). */
export class AlertRules {
  readonly rules: Collection<AlertRuleDoc>;
  readonly states: Collection<AlertRuleStateDoc>;
  readonly events: Collection<AlertEventDoc>;
  constructor(store: DocumentStore) {
    ({ rules: this.rules, states: this.states, events: this.events } = alertCollections(store));
  }

  async set(context: TenantContext, input: AlertRuleInput): Promise<AlertRuleDoc> {
    requireRole(context, 'TENANT_ADMIN', 'setAlertRule');
    const tenantId = requireTenant(context, 'setAlertRule');
    const name = input.name.trim();
    if (!name || name.length > 100) throw new BadUserInputError('input.name must be 1 to 100 characters, e.g. "Error rate above 20 %".', { field: 'input.name' });
    const threshold = input.threshold ?? null;
    if (input.condition === 'THRESHOLD') {
      if (threshold === null || !Number.isFinite(threshold) || threshold < 0) {
        throw new BadUserInputError('A THRESHOLD rule needs input.threshold, a number of 0 or more in the metric\'s unit (USD, a rate from 0 to 1, or milliseconds).', { field: 'input.threshold' });
      }
      if (input.metric === 'ERROR_RATE' && threshold >= 1) throw new BadUserInputError('input.threshold of an ERROR_RATE rule is a share of failed runs, below 1 (e.g. 0.2 for 20 %).', { field: 'input.threshold' });
    }
    const zScore = input.zScore ?? 3;
    if (!Number.isFinite(zScore) || zScore < 0.5 || zScore > 20) throw new BadUserInputError('input.zScore must be from 0.5 to 20 deviations above the baseline (3 is usual).', { field: 'input.zScore' });
    const now = new Date().toISOString();
    const previous = input.id ? (await this.rules.get(tenantId, input.id))?.doc : undefined;
    if (input.id && !previous) throw new NotFoundError('Alert rule', input.id);
    if (!previous && (await this.rules.count(tenantId)) >= MAX_RULES_PER_TENANT) {
      throw new BadUserInputError(`A tenant has at most ${MAX_RULES_PER_TENANT} alert rules; delete one (deleteAlertRule) or change an existing one (pass its id).`, { field: 'input' });
    }
    const doc: AlertRuleDoc = {
      id: previous?.id ?? randomUUID(),
      tenantId,
      name,
      metric: input.metric,
      condition: input.condition,
      threshold: input.condition === 'THRESHOLD' ? threshold : null,
      zScore,
      windowSeconds: integer(input.windowSeconds, 300, 10, 86_400, 'windowSeconds', 'seconds of data each evaluation looks at'),
      minSamples: integer(input.minSamples, 1, 1, 100_000, 'minSamples', 'runs or model calls a window needs to count'),
      minBaseline: integer(input.minBaseline, 10, 2, 10_000, 'minBaseline', 'evaluations that form the baseline before an ANOMALY rule may fire'),
      resolveAfter: integer(input.resolveAfter, 2, 1, 1000, 'resolveAfter', 'calm evaluations in a row before a firing rule resolves'),
      enabled: input.enabled ?? true,
      createdAt: previous?.createdAt ?? now,
      // updatedAt is the version a rule's state belongs to: a change within the same millisecond
      // still gets a later one, so its state starts again from nothing.
      updatedAt: previous && Date.parse(now) <= Date.parse(previous.updatedAt) ? new Date(Date.parse(previous.updatedAt) + 1).toISOString() : now,
    };
    await this.rules.upsert(doc);
    return doc;
  }

  async delete(context: TenantContext, id: string): Promise<boolean> {
    requireRole(context, 'TENANT_ADMIN', 'deleteAlertRule');
    const tenantId = requireTenant(context, 'deleteAlertRule');
    await this.states.delete(tenantId, id);
    return this.rules.delete(tenantId, id);
  }

  async list(context: TenantContext, tenantId: string) {
    requireRole(context, 'VIEWER', 'Reading alert rules');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    const page = await this.rules.query(tenantId, { orderBy: [{ field: 'createdAt' }], first: 1000 });
    return Promise.all(
      page.items.map(async ({ doc }) => {
        const stored = (await this.states.get(tenantId, doc.id))?.doc;
        const state = stored && stored.ruleUpdatedAt === doc.updatedAt ? stored : null;
        return {
          ...doc,
          state: state?.state ?? 'OK',
          lastValue: state?.lastValue ?? null,
          baseline: doc.condition === 'ANOMALY' && state && state.baselineSamples > 0 ? state.mean : null,
          lastEvaluatedAt: state?.lastEvaluatedAt ?? null,
          firingSince: state?.firingSince ?? null,
        };
      }),
    );
  }

  async listEvents(context: TenantContext, tenantId: string, args: { first?: number | null; ruleId?: string | null }) {
    requireRole(context, 'VIEWER', 'Reading alert events');
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== tenantId) return [];
    const first = args.first ?? 50;
    if (!Number.isInteger(first) || first < 1 || first > 500) throw new BadUserInputError('first must be from 1 to 500.', { field: 'first' });
    const page = await this.events.query(tenantId, { where: args.ruleId ? { ruleId: args.ruleId } : {}, orderBy: [{ field: 'at', direction: 'desc' }], first });
    return page.items.map(({ doc }) => ({
      ...doc,
      zScore: doc.z,
      delivery: { state: doc.deliveryState, attempts: doc.attempts, lastError: doc.lastError, deliveredAt: doc.deliveredAt },
    }));
  }
}

export const freshState = (rule: AlertRuleDoc): AlertRuleStateDoc => ({
  id: rule.id,
  tenantId: rule.tenantId,
  ruleUpdatedAt: rule.updatedAt,
  ...initialState(),
  episode: 0,
  lastValue: null,
  lastZ: null,
  lastBaseline: null,
  lastEvaluatedAt: null,
  firingSince: null,
  pendingEvent: null,
});
