import express from 'express';
import { requireTenantContext, runSubgraphService } from '@switchyard/service-kit';
import { ModelCallUsage, UsageMeter } from './metering/usage-meter.ts';
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
      },
    };
  },
});
