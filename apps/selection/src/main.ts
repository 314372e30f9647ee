import { fileURLToPath } from 'node:url';
import { runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { FrameworkModel, latestModelFile } from './model/framework-model.ts';
import { OutcomeManager } from './outcomes/outcome-manager.ts';
import { PreferenceManager } from './preferences/preference-manager.ts';
import { RecommendationManager } from './recommender/recommendation-manager.ts';
import { buildResolvers } from './resolvers/index.ts';

runSubgraphService({
  name: 'selection',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, store, logger }) {
    const file = env.SELECTION_MODEL_FILE ?? latestModelFile(fileURLToPath(new URL('../model', import.meta.url)));
    const model = FrameworkModel.load(file);
    logger.info({ model: model.version, file }, 'framework recommender loaded');
    const preferences = new PreferenceManager(store);
    const outcomes = new OutcomeManager(store);
    const recommendations = new RecommendationManager(store, model, preferences, outcomes);
    return { resolvers: buildResolvers({ recommendations, preferences, outcomes }) };
  },
});
