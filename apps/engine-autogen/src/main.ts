import { runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';

// The group chat engine's processes are not built yet; the service reports that honestly and the
// orchestrator refuses AUTOGEN workflows until it can run them.
runSubgraphService({
  name: 'engine-autogen',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build() {
    return { resolvers: { Query: { autogenEngine: () => ({ framework: 'AUTOGEN', available: false, templates: [] }) } } };
  },
});
