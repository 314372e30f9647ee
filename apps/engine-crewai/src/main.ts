import { LocalSandboxExecutor } from '@switchyard/code-sandbox';
import { OrchestratorChildWorkflows, mountEngineRoutes, engineLlmFromEnv, toolboxFromEnv } from '@switchyard/engine-kit';
import { ServiceClient, requireTenantContext, runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { crewDefinitionJsonSchema } from './crew/crew-definition.ts';
import { TEMPLATE_NAMES } from './crew/templates.ts';
import { CrewAIEngine } from './runtime/crewai-engine.ts';

runSubgraphService({
  name: 'engine-crewai',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, logger, tokens, store }) {
    const llm = engineLlmFromEnv(process.env, tokens);
    const children = new OrchestratorChildWorkflows(new ServiceClient(env.SWITCHYARD_WORKFLOWS_URL, tokens), 500, 'service:engine-crewai');
    const toolbox = toolboxFromEnv(process.env, { tokens, subject: 'service:engine-crewai', codeExecutor: new LocalSandboxExecutor(), logger });
    const engine = new CrewAIEngine(llm, store, children, toolbox);
    const definitionSchema = crewDefinitionJsonSchema();
    return {
      resolvers: { Query: { crewaiEngine: () => ({ framework: 'CREWAI', available: true, templates: TEMPLATE_NAMES, modelProvider: llm.provider, simulatedModel: llm.provider === 'simulator' }) } },
      routes: (app) => {
        mountEngineRoutes(app, engine, tokens, logger);
        app.get('/engine/definition-schema', requireTenantContext(tokens), (_req, res) => {
          res.json(definitionSchema);
        });
      },
      closers: [() => toolbox.close()],
    };
  },
});
