import { mountEngineRoutes, engineLlmFromEnv, toolboxFromEnv } from '@switchyard/engine-kit';
import { runSubgraphService } from '@switchyard/service-kit';
import { DynamicSessionsExecutor, LocalSandboxExecutor } from '@switchyard/code-sandbox';
import { envSchema } from './env.ts';
import { AutoGenEngine, type CodeExecutorFactory } from './runtime/autogen-engine.ts';
import { TEMPLATE_NAMES } from './definition/templates.ts';

runSubgraphService({
  name: 'engine-autogen',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, logger, tokens, store }) {
    const llm = engineLlmFromEnv(process.env, tokens);
    let codeExecutorFor: CodeExecutorFactory;
    if (env.AUTOGEN_CODE_EXECUTOR === 'dynamic-sessions') {
      // One session per workflow: its code shares interpreter state, other workflows' code never does.
      codeExecutorFor = (tenantId, workflowId) =>
        new DynamicSessionsExecutor({ poolManagementEndpoint: env.AZURE_DYNAMIC_SESSIONS_POOL_ENDPOINT!, sessionId: `${tenantId}-${workflowId}`, timeoutMs: env.AUTOGEN_CODE_TIMEOUT_MS });
    } else {
      const local = new LocalSandboxExecutor({
        javascript: { timeoutMs: env.AUTOGEN_CODE_TIMEOUT_MS, memoryLimitMb: env.AUTOGEN_CODE_MEMORY_MB },
        python: { timeoutMs: env.AUTOGEN_CODE_TIMEOUT_MS, memoryLimitMb: env.AUTOGEN_CODE_MEMORY_MB },
      });
      codeExecutorFor = () => local;
    }
    const toolbox = toolboxFromEnv(process.env, { tokens, subject: 'service:engine-autogen', codeExecutor: codeExecutorFor, logger });
    const engine = new AutoGenEngine(llm, store, codeExecutorFor, toolbox);
    return {
      resolvers: { Query: { autogenEngine: () => ({ framework: 'AUTOGEN', available: true, templates: TEMPLATE_NAMES, modelProvider: llm.provider, simulatedModel: llm.provider === 'simulator' }) } },
      routes: (app) => mountEngineRoutes(app, engine, tokens, logger),
      closers: [() => toolbox.close()],
    };
  },
});
