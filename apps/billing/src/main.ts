import { runSubgraphService } from '@switchyard/service-kit';
import { BudgetManager } from './budgets/budget-manager.ts';
import { envSchema } from './env.ts';
import { buildResolvers } from './resolvers/index.ts';

runSubgraphService({
  name: 'billing',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ store }) {
    return { resolvers: buildResolvers(new BudgetManager(store)) };
  },
});
