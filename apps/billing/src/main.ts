import express from 'express';
import { ServiceClient, requireTenantContext, runSubgraphService } from '@switchyard/service-kit';
import { z } from 'zod';
import { ErrorCode, NotFoundError, SwitchyardError, type TenantContext } from '@switchyard/contracts';
import { ModelCallUsage, UsageEstimateMark, UsageMeter, monthOf } from './metering/usage-meter.ts';
import { BudgetLedger, type ReservationAsk, type ReservationOutcome } from './budgets/budget-ledger.ts';
import { BudgetManager } from './budgets/budget-manager.ts';
import { BudgetAlerts, budgetAlertOutbox } from './budgets/budget-alerts.ts';
import { AlertRules, alertEventOutbox } from './alerts/alert-rules.ts';
import { AlertEvaluator } from './alerts/alert-evaluator.ts';
import { WebhookDispatcher } from './budgets/webhook-dispatcher.ts';
import { publicDestinationCheck } from './budgets/webhook-destination.ts';
import { OutboundHttpClient } from '@switchyard/tools';
import { StatementManager } from './invoices/statement-manager.ts';
import { NegotiatedPrices } from './pricing/negotiated-prices.ts';
import { costUsd, maxCostUsd } from './pricing/price-table.ts';
import { envSchema } from './env.ts';
import { ModelSettingsCache, chooseModel, type ModelSettings } from './models/model-policy.ts';
import { buildResolvers } from './resolvers/index.ts';

const ReserveBody = z.object({
  reservationId: z.string().min(1).max(200),
  model: z.string().min(1).max(200),
  maxInputTokens: z.number().int().nonnegative(),
  maxOutputTokens: z.number().int().nonnegative(),
  /** The fewest output tokens that still make the call worth making; the call is refused below it. */
  minOutputTokens: z.number().int().nonnegative().optional(),
  /** The workflow the call is for and its start time (ms): the oldest waiting goes first on a tight budget. */
  workflowId: z.string().min(1).max(200).optional(),
  workflowStartedAt: z.number().nonnegative().optional(),
  /**
   * named: the call names its model (a node's, an agent's), which the tenant must allow; default: it
   * uses the engine's default, replaced by the tenant's; exempt: an embedding model of the platform.
   * Absent: named.
   */
  modelPolicy: z.enum(['named', 'default', 'exempt']).optional(),
});
const SettleBody = z.object({
  reservationId: z.string().min(1).max(200),
  model: z.string().min(1).max(200),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedTokens: z.number().int().nonnegative().default(0),
});

runSubgraphService({
  name: 'billing',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, logger, store, tokens, metrics }) {
    const checkDestination = publicDestinationCheck(env.BUDGET_WEBHOOK_ALLOWED_HOSTS);
    // Per tenant, model and engine: for operators (the tenant label has as many values as there are tenants).
    const labels = ['tenant', 'model', 'engine'] as const;
    const modelCalls = metrics.counter('switchyard_model_calls_total', 'Model calls metered, by tenant, priced model and engine.', labels);
    const modelTokens = metrics.counter('switchyard_model_tokens_total', 'Model tokens metered, by tenant, priced model, engine and kind (input, output, cached).', [...labels, 'kind']);
    const modelCost = metrics.counter('switchyard_model_cost_usd_total', 'Cost of metered model calls in US dollars, by tenant, priced model and engine.', labels);
    const modelLatency = metrics.histogram('switchyard_model_call_duration_seconds', 'Model call latency as the engine measured it, by priced model and engine.', ['model', 'engine'], [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60]);
    const budgetRefusals = metrics.counter('switchyard_budget_refusals_total', 'Model calls refused by a hard budget (BUDGET_EXCEEDED), by tenant.', ['tenant']);
    const budgetWaits = metrics.counter('switchyard_budget_waits_total', 'Model calls told to wait for budget held by calls in flight, by tenant.', ['tenant']);
    const prices = new NegotiatedPrices(store);
    let alerts: BudgetAlerts | null = null;
    const meter = new UsageMeter(store, env.AZURE_DEPLOYMENT_MODELS, {
      negotiatedPrice: (tenantId, model, at) => prices.priceAt(tenantId, model, at),
      // Thresholds are checked after the call is recorded; a failure here must not undo the record.
      onRecorded: (tenantId, doc, monthSpendUsd) => {
        const series = { tenant: tenantId, model: doc.baseModel ?? 'unpriced', engine: doc.engine ?? 'PLATFORM' };
        modelCalls.inc(series);
        modelTokens.inc({ ...series, kind: 'input' }, doc.inputTokens);
        modelTokens.inc({ ...series, kind: 'output' }, doc.outputTokens);
        modelTokens.inc({ ...series, kind: 'cached' }, doc.cachedTokens);
        modelCost.inc(series, doc.costUsd);
        modelLatency.observe({ model: series.model, engine: series.engine }, doc.latencyMs / 1000);
        return alerts!
          .check(tenantId, monthOf(doc.at), monthSpendUsd)
          .then(() => undefined)
          .catch((error: unknown) => logger.error({ err: error, tenantId }, 'budget thresholds could not be checked'));
      },
    });
    const tenants = new ServiceClient(env.SWITCHYARD_TENANTS_URL, tokens);
    // A key budget names one of the caller's own keys: the tenants service lists them (TENANT_ADMIN, as setApiKeyBudget requires).
    const keyExists = async (context: TenantContext, keyId: string) => {
      const { apiKeys } = await tenants.request<{ apiKeys: { id: string }[] }>('query Keys { apiKeys { id } }', {}, context);
      return apiKeys.some((key) => key.id === keyId);
    };
    const budgets = new BudgetManager(store, meter, checkDestination, keyExists);
    // The tenant's allowed and default models bind every model call of its runs (issue: stored but not enforced before).
    const modelSettings = new ModelSettingsCache(async (context) => {
      const { tenant } = await tenants.request<{ tenant: { settings: ModelSettings } | null }>('query ModelSettings($id: ID!) { tenant(id: $id) { settings { allowedModels defaultModel } } }', { id: context.tenantId }, context);
      return tenant?.settings ?? { allowedModels: [], defaultModel: null };
    }, env.MODEL_SETTINGS_CACHE_MS);
    const alertRules = new AlertRules(store);
    const dispatcher = new WebhookDispatcher([budgetAlertOutbox(store), alertEventOutbox(alertRules.events)], budgets, checkDestination, {
      http: new OutboundHttpClient({ privateHostExemptions: env.BUDGET_WEBHOOK_ALLOWED_HOSTS, maxRedirects: 0, userAgent: 'Switchyard-Billing/1' }),
      maxAttempts: env.BUDGET_WEBHOOK_MAX_ATTEMPTS,
      baseDelayMs: env.BUDGET_WEBHOOK_BACKOFF_MS,
      maxDelayMs: 60 * 60_000,
      timeoutMs: env.BUDGET_WEBHOOK_TIMEOUT_MS,
      pollMs: 5_000,
      logger,
    });
    alerts = new BudgetAlerts(store, budgets, (alert) => {
      if (alert.deliveryState === 'PENDING') dispatcher.kick();
    });
    const alertEvents = metrics.counter('switchyard_alert_events_total', 'Alert events raised by tenants\' alert rules, by metric and kind (FIRING, RESOLVED).', ['metric', 'kind']);
    const workflows = new ServiceClient(env.SWITCHYARD_WORKFLOWS_URL, tokens);
    const serviceContext = (tenantId: string): TenantContext => ({ tenantId, role: 'VIEWER', keyId: null, subject: 'service:billing' });
    const evaluator = new AlertEvaluator(
      alertRules,
      {
        modelCalls: async (tenantId, from, to) => {
          const docs = await meter.recordsBetween(tenantId, from.toISOString(), to.toISOString());
          return { costUsd: docs.reduce((sum, doc) => sum + doc.costUsd, 0), latenciesMs: docs.map((doc) => doc.latencyMs) };
        },
        runOutcomes: async (tenantId, from, to) => {
          // The workflows subgraph's own Tenant.runSeries, asked as the gateway would (an entity fetch).
          const { _entities } = await workflows.request<{ _entities: Array<{ runSeries: Array<{ succeeded: number; failed: number; cancelled: number }> } | null> }>(
            'query RunOutcomes($representations: [_Any!]!, $from: DateTime, $to: DateTime) { _entities(representations: $representations) { ... on Tenant { runSeries(from: $from, to: $to, bucket: DAY) { succeeded failed cancelled } } } }',
            { representations: [{ __typename: 'Tenant', id: tenantId }], from: from.toISOString(), to: to.toISOString() },
            serviceContext(tenantId),
          );
          const points = _entities[0]?.runSeries ?? [];
          return { ended: points.reduce((sum, p) => sum + p.succeeded + p.failed + p.cancelled, 0), failed: points.reduce((sum, p) => sum + p.failed, 0) };
        },
      },
      {
        intervalMs: env.ALERT_EVALUATION_MS,
        logger,
        onEvent: (event) => {
          alertEvents.inc({ metric: event.metric, kind: event.kind });
          dispatcher.kick();
        },
      },
    );
    const ledger = new BudgetLedger(store, env.BUDGET_RESERVATION_TTL_MS);
    const planOf = async (tenantId: string) => {
      const { tenant } = await tenants.request<{ tenant: { plan: string } | null }>('query Plan($id: ID!) { tenant(id: $id) { plan } }', { id: tenantId }, { tenantId, role: 'VIEWER', keyId: null, subject: 'service:billing' });
      if (!tenant) throw new NotFoundError('Tenant', tenantId);
      return tenant.plan;
    };
    const statements = new StatementManager(store, meter, planOf, env.BILLING_PLAN_MARKUPS);
    return {
      resolvers: buildResolvers({ budgets, meter, alerts, alertRules, prices, statements, ledger }),
      afterListen: () => {
        dispatcher.start();
        evaluator.start();
      },
      closers: [() => evaluator.stop(), () => dispatcher.stop()],
      routes: (app) => {
        // The orchestrator forwards every MODEL_CALL event here; the call id makes it count once.
        app.post('/internal/usage', requireTenantContext(tokens), express.json({ limit: '64kb' }), async (req, res) => {
          const tenantId = (res.locals.tenant as { tenantId: string | null }).tenantId;
          const usage = ModelCallUsage.safeParse(req.body);
          if (!tenantId || !usage.success) {
            res.status(400).json({ error: usage.success ? 'no tenant' : usage.error.message });
            return;
          }
          res.json({ recorded: await meter.record(tenantId, usage.data) });
        });
        // The orchestrator's usage outbox sends a tenant's records together: one request, one spend update.
        const UsageBatch = z.object({ records: z.array(ModelCallUsage).min(1).max(500) });
        app.post('/internal/usage/batch', requireTenantContext(tokens), express.json({ limit: '1mb' }), async (req, res) => {
          const tenantId = (res.locals.tenant as { tenantId: string | null }).tenantId;
          const batch = UsageBatch.safeParse(req.body);
          if (!tenantId || !batch.success) {
            res.status(400).json({ error: batch.success ? 'no tenant' : batch.error.message });
            return;
          }
          res.json({ recorded: await meter.recordMany(tenantId, batch.data.records) });
        });
        // Engines say which calls' usage they counted with a tokenizer (the provider sent none).
        app.post('/internal/usage/estimate', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const tenantId = (res.locals.tenant as { tenantId: string | null }).tenantId;
          const mark = UsageEstimateMark.safeParse(req.body);
          if (!tenantId || !mark.success) {
            res.status(400).json({ error: mark.success ? 'no tenant' : mark.error.message });
            return;
          }
          await meter.markEstimated(tenantId, mark.data);
          res.status(204).end();
        });
        // Engines reserve a call's largest possible cost before it runs, and settle it after.
        app.post('/internal/budget/reserve', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const { tenantId, keyId } = res.locals.tenant as { tenantId: string | null; keyId: string | null };
          const body = ReserveBody.safeParse(req.body);
          if (!tenantId || !body.success) {
            res.status(400).json({ error: body.success ? 'no tenant' : body.error.message });
            return;
          }
          const policy = body.data.modelPolicy ?? 'named';
          const [limit, keyLimit, settings] = await Promise.all([
            budgets.limitOf(tenantId),
            budgets.keyLimitOf(tenantId, keyId),
            policy === 'exempt' ? null : modelSettings.of({ ...(res.locals.tenant as TenantContext), tenantId }),
          ]);
          let model: string;
          try {
            model = settings ? chooseModel(settings, body.data.model, policy === 'named') : body.data.model;
          } catch (error) {
            if (error instanceof SwitchyardError) {
              res.status(403).json({ code: error.code, message: error.message });
              return;
            }
            throw error;
          }
          // Without a hard limit there is nothing to hold: spend is metered from the calls themselves,
          // and the tenant's ledger is not made a point of contention for every call.
          if (!limit?.hardLimit && !keyLimit) {
            res.json({ reservedUsd: 0, unlimited: true, model });
            return;
          }
          const { price } = await meter.priceFor(tenantId, model, new Date().toISOString());
          // The larger of the list and the negotiated price: a reservation must never be below the real cost.
          const priced = (inputTokens: number, outputTokens: number) =>
            Math.max(
              maxCostUsd(model, inputTokens, outputTokens, env.AZURE_DEPLOYMENT_MODELS),
              price ? costUsd(price, { inputTokens, outputTokens, cachedTokens: 0 }) : 0,
            );
          const maxOutputTokens = body.data.maxOutputTokens;
          const ask: ReservationAsk = {
            model,
            inputUsd: priced(body.data.maxInputTokens, 0),
            outputTokenUsd: priced(0, 1),
            maxOutputTokens,
            minOutputTokens: Math.min(maxOutputTokens, body.data.minOutputTokens ?? maxOutputTokens),
            ...(body.data.workflowId && body.data.workflowStartedAt !== undefined ? { queue: { key: body.data.workflowId, priority: body.data.workflowStartedAt } } : {}),
          };
          const now = new Date();
          const id = body.data.reservationId;
          const keyScope = keyLimit && keyId ? ({ kind: 'apiKey', keyId } as const) : null;
          const waitFor = (outcome: { retryAfterMs: number; reservedUsd: number; settledUsd: number }, whose: string) => {
            budgetWaits.inc({ tenant: tenantId });
            res.status(409).json({
              code: 'BUDGET_BUSY',
              retryAfterMs: outcome.retryAfterMs,
              settledUsd: outcome.settledUsd,
              message: `${whose} is held by calls in flight ($${outcome.reservedUsd.toFixed(6)}); ask again.`,
            });
          };
          try {
            // The key's ledger first, then the tenant's with what the key granted; the smaller grant
            // wins, and a refusal or a wait from the tenant's frees the key's reservation at once.
            let granted = { amountUsd: 0, outputTokens: maxOutputTokens };
            if (keyScope) {
              const outcome = await ledger.reserve(tenantId, id, ask, keyLimit, now, keyScope);
              if (outcome.outcome === 'wait') return void waitFor(outcome, "The API key's budget");
              granted = outcome;
            }
            if (limit?.hardLimit) {
              let outcome: ReservationOutcome;
              try {
                outcome = await ledger.reserve(tenantId, id, { ...ask, maxOutputTokens: granted.outputTokens, minOutputTokens: Math.min(ask.minOutputTokens, granted.outputTokens) }, limit, now);
              } catch (error) {
                if (keyScope) await ledger.release(tenantId, id, now, keyScope);
                throw error;
              }
              if (outcome.outcome === 'wait') {
                if (keyScope) await ledger.release(tenantId, id, now, keyScope);
                return void waitFor(outcome, "The tenant's budget");
              }
              if (keyScope && outcome.outputTokens < granted.outputTokens) await ledger.shrink(tenantId, id, ask, outcome.outputTokens, now, keyScope);
              granted = outcome;
            }
            res.json({ reservedUsd: granted.amountUsd, maxOutputTokens: granted.outputTokens, model });
          } catch (error) {
            if (error instanceof SwitchyardError && error.code === ErrorCode.BUDGET_EXCEEDED) {
              budgetRefusals.inc({ tenant: tenantId });
              res.status(402).json({ code: error.code, message: error.message });
              return;
            }
            throw error;
          }
        });
        app.post('/internal/budget/settle', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const { tenantId, keyId } = res.locals.tenant as { tenantId: string | null; keyId: string | null };
          const body = SettleBody.safeParse(req.body);
          if (!tenantId || !body.success) {
            res.status(400).json({ error: body.success ? 'no tenant' : body.error.message });
            return;
          }
          const { price } = await meter.priceFor(tenantId, body.data.model, new Date().toISOString());
          const actual = price ? costUsd(price, body.data) : 0;
          const [limit, keyLimit] = await Promise.all([budgets.limitOf(tenantId), budgets.keyLimitOf(tenantId, keyId)]);
          const observed = { model: body.data.model, outputTokens: body.data.outputTokens };
          if (keyLimit && keyId) await ledger.settle(tenantId, body.data.reservationId, actual, new Date(), { kind: 'apiKey', keyId }, observed);
          if (limit?.hardLimit) await ledger.settle(tenantId, body.data.reservationId, actual, new Date(), undefined, observed);
          res.status(204).end();
        });
        // The orchestrator refuses to start work for a tenant whose hard budget is spent.
        app.get('/internal/budget/status', requireTenantContext(tokens), async (_req, res) => {
          const { tenantId, keyId } = res.locals.tenant as { tenantId: string | null; keyId: string | null };
          const limit = tenantId ? await budgets.limitOf(tenantId) : null;
          const status = tenantId ? await ledger.status(tenantId) : { settledUsd: 0, reservedUsd: 0 };
          const keyLimit = tenantId ? await budgets.keyLimitOf(tenantId, keyId) : null;
          if (tenantId && keyId && keyLimit) {
            const keyStatus = await ledger.status(tenantId, new Date(), { kind: 'apiKey', keyId });
            if (keyStatus.settledUsd >= keyLimit.monthlyLimitUsd) {
              res.json({ exhausted: true, limitUsd: keyLimit.monthlyLimitUsd, spentUsd: keyStatus.settledUsd, scope: 'API_KEY' });
              return;
            }
          }
          const exhausted = !!limit?.hardLimit && status.settledUsd >= limit.monthlyLimitUsd;
          res.json({ exhausted, limitUsd: limit?.monthlyLimitUsd ?? null, spentUsd: status.settledUsd, scope: 'TENANT' });
        });
      },
    };
  },
});
