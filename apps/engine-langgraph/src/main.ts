import { LocalSandboxExecutor } from '@switchyard/code-sandbox';
import { OrchestratorChildWorkflows, mountEngineRoutes, engineLlmFromEnv, toolboxFromEnv } from '@switchyard/engine-kit';
import { ServiceClient, runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { GraphDefinitionManager } from './definitions/graph-definition-manager.ts';
import { GraphDefinitionStore } from './definitions/graph-definition-store.ts';
import { WorkflowHistoryManager } from './history/workflow-history-manager.ts';
import { buildResolvers } from './resolvers/index.ts';

import { LangGraphEngine } from './runtime/langgraph-engine.ts';
import { filterListTool } from './tools/filter-list.ts';

runSubgraphService({
  name: 'engine-langgraph',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, logger, tokens, store }) {
    const llm = engineLlmFromEnv(process.env, tokens);
    const workflows = new ServiceClient(env.SWITCHYARD_WORKFLOWS_URL, tokens);
    const toolbox = toolboxFromEnv(process.env, { tokens, subject: 'service:engine-langgraph', codeExecutor: new LocalSandboxExecutor(), engineTools: [filterListTool], logger });
    const engine = new LangGraphEngine({
      llm,
      store,
      recursionLimit: env.LANGGRAPH_RECURSION_LIMIT,
      toolbox,
      children: new OrchestratorChildWorkflows(workflows, 500, 'service:engine-langgraph'),
      modelOutputIntervalMs: env.LANGGRAPH_MODEL_OUTPUT_INTERVAL_MS,
    });
    const definitions = new GraphDefinitionManager(new GraphDefinitionStore(store), toolbox);
    const history = new WorkflowHistoryManager(engine, store, workflows);
    return {
      resolvers: buildResolvers(definitions, history, llm.provider),
      routes: (app) => mountEngineRoutes(app, engine, tokens, logger),
      closers: [() => toolbox.close()],
    };
  },
});
