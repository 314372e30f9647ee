import express from 'express';
import { requireTenantContext, runSubgraphService } from '@switchyard/service-kit';
import { z } from 'zod';
import { ErrorCode, SwitchyardError } from '@switchyard/contracts';
import { ModelCallUsage, UsageMeter } from './metering/usage-meter.ts';
import { BudgetLedger } from './budgets/budget-ledger.ts';
import { costUsd, lookupPrice, maxCostUsd } from './pricing/price-table.ts';

const ReserveBody = z.object({
  reservationId: z.string().min(1).max(200),
  model: z.string().min(1).max(200),
  maxInputTokens: z.number().int().nonnegative(),
  maxOutputTokens: z.number().int().nonnegative(),
});
const SettleBody = z.object({
  reservationId: z.string().min(1).max(200),
  model: z.string().min(1).max(200),
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  cachedTokens: z.number().int().nonnegative().default(0),
});
import { BudgetManager } from './budgets/budget-manager.ts';
import { envSchema } from './env.ts';
import { buildResolvers } from './resolvers/index.ts';

runSubgraphService({
  name: 'billing',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, store, tokens }) {
    const meter = new UsageMeter(store, env.AZURE_DEPLOYMENT_MODELS);
    const budgets = new BudgetManager(store, meter);
    const ledger = new BudgetLedger(store, env.BUDGET_RESERVATION_TTL_MS);
    return {
      resolvers: buildResolvers(budgets, meter),
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
        // Engines reserve a call's largest possible cost before it runs, and settle it after.
        app.post('/internal/budget/reserve', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const tenantId = (res.locals.tenant as { tenantId: string | null }).tenantId;
          const body = ReserveBody.safeParse(req.body);
          if (!tenantId || !body.success) {
            res.status(400).json({ error: body.success ? 'no tenant' : body.error.message });
            return;
          }
          const amount = maxCostUsd(body.data.model, body.data.maxInputTokens, body.data.maxOutputTokens, env.AZURE_DEPLOYMENT_MODELS);
          const limit = await budgets.limitOf(tenantId);
          // Without a hard limit there is nothing to hold: spend is metered from the calls themselves,
          // and the tenant's ledger is not made a point of contention for every call.
          if (!limit?.hardLimit) {
            res.json({ reservedUsd: 0, unlimited: true });
            return;
          }
          try {
            res.json(await ledger.reserve(tenantId, body.data.reservationId, amount, limit));
          } catch (error) {
            if (error instanceof SwitchyardError && error.code === ErrorCode.BUDGET_EXCEEDED) {
              res.status(402).json({ code: error.code, message: error.message });
              return;
            }
            throw error;
          }
        });
        app.post('/internal/budget/settle', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const tenantId = (res.locals.tenant as { tenantId: string | null }).tenantId;
          const body = SettleBody.safeParse(req.body);
          if (!tenantId || !body.success) {
            res.status(400).json({ error: body.success ? 'no tenant' : body.error.message });
            return;
          }
          const { price } = lookupPrice(body.data.model, env.AZURE_DEPLOYMENT_MODELS);
          await ledger.settle(tenantId, body.data.reservationId, price ? costUsd(price, body.data) : 0);
          res.status(204).end();
        });
        // The orchestrator refuses to start work for a tenant whose hard budget is spent.
        app.get('/internal/budget/status', requireTenantContext(tokens), async (_req, res) => {
          const tenantId = (res.locals.tenant as { tenantId: string | null }).tenantId;
          const limit = tenantId ? await budgets.limitOf(tenantId) : null;
          const status = tenantId ? await ledger.status(tenantId) : { settledUsd: 0, reservedUsd: 0 };
          const exhausted = !!limit?.hardLimit && status.settledUsd >= limit.monthlyLimitUsd;
          res.json({ exhausted, limitUsd: limit?.monthlyLimitUsd ?? null, spentUsd: status.settledUsd });
        });
      },
    };
  },
});
