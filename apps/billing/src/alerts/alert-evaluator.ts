import { ConflictError, PreconditionFailedError } from '@switchyard/contracts';
import { percentile, type Logger } from '@switchyard/service-kit';
import type { Stored } from '@switchyard/store';
import { evaluate } from './alert-detector.ts';
import { freshState, type AlertEventDoc, type AlertRuleDoc, type AlertRuleStateDoc, type AlertRules } from './alert-rules.ts';

/** Where the evaluator reads a window's data: billing's own usage records, and workflow outcomes from workflows. */
export interface AlertSignals {
  /** Cost and latency of the tenant's metered model calls in [from, to). */
  modelCalls(tenantId: string, from: Date, to: Date): Promise<{ costUsd: number; latenciesMs: number[] }>;
  /** The tenant's workflows started in [from, to) that have ended, and how many of them failed. */
  runOutcomes(tenantId: string, from: Date, to: Date): Promise<{ ended: number; failed: number }>;
}

export interface AlertEvaluatorOptions {
  intervalMs: number;
  logger: Logger;
  /** Called once an event is stored (to deliver it now instead of at the dispatcher's next poll). */
  onEvent?: (event: AlertEventDoc) => void;
}

/** How many rules are evaluated at once. */
const CONCURRENCY = 8;

/**
 * Evaluates every enabled alert rule once per interval (decision 022). A rule's state is one document
 * replaced with its etag, so with several billing replicas one evaluation per rule and interval wins;
 * the event a transition makes is written into that state first and stored after, so a crash between
 * the two is finished by the next evaluation, and its id (rule, episode, kind) makes it exist once.
 */
export class AlertEvaluator {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly alerts: AlertRules,
    private readonly signals: AlertSignals,
    private readonly options: AlertEvaluatorOptions,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private tick(): void {
    if (this.running || this.stopped) return;
    this.running = this.evaluateAll()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'alert evaluation round failed'))
      .finally(() => (this.running = null));
  }

  /** One round over every enabled rule of every tenant. */
  async evaluateAll(now = new Date()): Promise<void> {
    let after: string | undefined;
    do {
      const page = await this.alerts.rules.queryAllTenants({ where: { enabled: true }, first: 200, after });
      const rules = page.items.map((item) => item.doc);
      for (let i = 0; i < rules.length && !this.stopped; i += CONCURRENCY) {
        await Promise.all(
          rules.slice(i, i + CONCURRENCY).map((rule) =>
            this.evaluateRule(rule, now).catch((error: unknown) => this.options.logger.warn({ err: error, tenantId: rule.tenantId, rule: rule.id }, 'alert rule could not be evaluated')),
          ),
        );
      }
      after = page.hasNextPage && page.endCursor ? page.endCursor : undefined;
    } while (after && !this.stopped);
  }

  /** Evaluate one rule now; returns the event it raised, if any (null also when another replica evaluated it). */
  async evaluateRule(rule: AlertRuleDoc, now = new Date()): Promise<AlertEventDoc | null> {
    const stored = await this.alerts.states.get(rule.tenantId, rule.id);
    // Finish what a replica that died after its state write left undone.
    const pending = stored?.doc.pendingEvent;
    if (pending) await this.storeEvent(pending);
    const state = stored && stored.doc.ruleUpdatedAt === rule.updatedAt ? stored.doc : freshState(rule);
    // Another replica evaluated this rule moments ago.
    if (state.lastEvaluatedAt && now.getTime() - Date.parse(state.lastEvaluatedAt) < this.options.intervalMs / 2) return null;

    const value = await this.valueOf(rule, now);
    const evaluation = evaluate(rule, state, value);
    const episode = evaluation.transition === 'FIRING' ? state.episode + 1 : state.episode;
    const at = now.toISOString();
    const event: AlertEventDoc | null = evaluation.transition
      ? {
          id: `${rule.id}:${episode}:${evaluation.transition}`,
          tenantId: rule.tenantId,
          ruleId: rule.id,
          ruleName: rule.name,
          metric: rule.metric,
          condition: rule.condition,
          kind: evaluation.transition,
          episode,
          value,
          threshold: rule.threshold,
          baseline: evaluation.baseline,
          z: evaluation.z,
          windowSeconds: rule.windowSeconds,
          at,
          deliveryState: 'PENDING',
          attempts: 0,
          lastError: null,
          deliveredAt: null,
          nextAttemptAt: now.getTime(),
        }
      : null;
    const next: AlertRuleStateDoc = {
      ...state,
      ...evaluation.next,
      episode,
      lastValue: value,
      lastZ: evaluation.z,
      lastBaseline: evaluation.baseline,
      lastEvaluatedAt: at,
      firingSince: evaluation.next.state === 'FIRING' ? (state.firingSince ?? at) : null,
      pendingEvent: event,
    };
    if (!(await this.writeState(next, stored))) return null;
    if (event) await this.storeEvent(event);
    return event;
  }

  /** The rule's metric over the window ending now; null when the window has fewer samples than the rule asks. */
  private async valueOf(rule: AlertRuleDoc, now: Date): Promise<number | null> {
    const from = new Date(now.getTime() - rule.windowSeconds * 1000);
    if (rule.metric === 'ERROR_RATE') {
      const { ended, failed } = await this.signals.runOutcomes(rule.tenantId, from, now);
      return ended >= rule.minSamples ? failed / ended : null;
    }
    const { costUsd, latenciesMs } = await this.signals.modelCalls(rule.tenantId, from, now);
    if (rule.metric === 'COST_USD') return Math.round(costUsd * 1e8) / 1e8;
    return latenciesMs.length >= rule.minSamples ? percentile(latenciesMs, 95) : null;
  }

  /** The conditional write that decides which evaluation counts; false when another one won. */
  private async writeState(next: AlertRuleStateDoc, stored: Stored<AlertRuleStateDoc> | null): Promise<boolean> {
    try {
      if (stored) await this.alerts.states.replace(next, { ifMatch: stored.etag });
      else await this.alerts.states.create(next);
      return true;
    } catch (error) {
      if (error instanceof PreconditionFailedError || error instanceof ConflictError) return false;
      throw error;
    }
  }

  private async storeEvent(event: AlertEventDoc): Promise<void> {
    try {
      await this.alerts.events.create(event);
    } catch (error) {
      if (error instanceof ConflictError) return;
      throw error;
    }
    this.options.logger.info({ tenantId: event.tenantId, rule: event.ruleId, kind: event.kind, value: event.value }, `alert ${event.kind === 'FIRING' ? 'firing' : 'resolved'}`);
    this.options.onEvent?.(event);
  }
}
