import { fileURLToPath } from 'node:url';
import express from 'express';
import { z } from 'zod';
import { Framework } from '@switchyard/contracts';
import { requireTenantContext, runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { FrameworkModel, latestModelFile } from './model/framework-model.ts';
import { OutcomeManager } from './outcomes/outcome-manager.ts';
import { SelectionSeries } from './outcomes/selection-series.ts';
import { PreferenceManager } from './preferences/preference-manager.ts';
import { RecommendationManager } from './recommender/recommendation-manager.ts';
import { buildResolvers } from './resolvers/index.ts';

const RunOutcomeBody = z.object({
  recommendationId: z.string().min(1),
  workflowId: z.string().min(1),
  framework: Framework,
  status: z.enum(['SUCCEEDED', 'FAILED', 'CANCELLED']),
  latencyMs: z.number().nonnegative(),
  costUsd: z.number().nonnegative(),
});

runSubgraphService({
  name: 'selection',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, store, logger, tokens }) {
    const file = env.SELECTION_MODEL_FILE ?? latestModelFile(fileURLToPath(new URL('../model', import.meta.url)));
    const model = FrameworkModel.load(file);
    logger.info({ model: model.version, file }, 'framework recommender loaded');
    const preferences = new PreferenceManager(store);
    const outcomes = new OutcomeManager(store);
    const recommendations = new RecommendationManager(store, model, preferences, outcomes);
    return {
      resolvers: buildResolvers({ recommendations, preferences, outcomes, series: new SelectionSeries(store) }),
      routes: (app) => {
        // The workflows service reports how a recommended workflow ended (the outcome the recommender learns from).
        app.post('/internal/run-outcome', requireTenantContext(tokens), express.json({ limit: '8kb' }), async (req, res) => {
          const tenantId = (res.locals.tenant as { tenantId: string | null }).tenantId;
          const body = RunOutcomeBody.safeParse(req.body);
          if (!tenantId || !body.success) {
            res.status(400).json({ error: body.success ? 'no tenant' : body.error.message });
            return;
          }
          const { recommendationId, ...run } = body.data;
          res.json({ recorded: await outcomes.recordRun(tenantId, recommendationId, run) });
        });
      },
    };
  },
});
