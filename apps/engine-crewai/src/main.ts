import { runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';

// The crew engine's processes are not built yet; the service reports that honestly and the
// orchestrator refuses CREWAI workflows until it can run them.
runSubgraphService({
  name: 'engine-crewai',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build() {
    return { resolvers: { Query: { crewaiEngine: () => ({ framework: 'CREWAI', available: false, templates: [] }) } } };
  },
});
