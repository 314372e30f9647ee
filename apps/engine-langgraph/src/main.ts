import { createLlmClient, llmConfigFromEnv } from '@switchyard/llm';
import { mountEngineRoutes } from '@switchyard/engine-kit';
import { runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { LangGraphEngine } from './runtime/langgraph-engine.ts';

runSubgraphService({
  name: 'engine-langgraph',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, logger, tokens, store }) {
    const llm = createLlmClient(llmConfigFromEnv(process.env));
    const engine = new LangGraphEngine(llm, store, env.LANGGRAPH_RECURSION_LIMIT);
    return {
      resolvers: { Query: { langgraphEngine: () => ({ framework: 'LANGGRAPH', available: true, templates: ['plan-and-execute'] }) } },
      routes: (app) => mountEngineRoutes(app, engine, tokens, logger),
    };
  },
});
