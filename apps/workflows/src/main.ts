import { CONTEXT_HEADER, UnavailableError } from '@switchyard/contracts';
import { ServiceClient, ServiceEndpoints, runSubgraphService } from '@switchyard/service-kit';
import { envSchema } from './env.ts';
import { EngineDirectory } from './orchestrator/engine-directory.ts';
import { EventLog } from './orchestrator/event-log.ts';
import { LocalEventNotifier, RedisEventNotifier } from './orchestrator/event-notifier.ts';
import { WorkflowEventFeeds } from './orchestrator/event-subscription.ts';
import { WorkflowManager } from './orchestrator/workflow-manager.ts';
import { WorkflowRunner } from './orchestrator/workflow-runner.ts';
import { TenantQuotas } from './orchestrator/tenant-quotas.ts';
import { TenantTelemetry } from './orchestrator/tenant-telemetry.ts';
import { UsageForwarder } from './orchestrator/usage-forwarder.ts';
import { buildResolvers } from './resolvers/index.ts';

runSubgraphService({
  name: 'workflows',
  envSchema,
  schemaUrl: new URL('./schema.graphql', import.meta.url),
  async build({ env, logger, tokens, store, metrics }) {
    const notifier = env.REDIS_URL ? new RedisEventNotifier(env.REDIS_URL, logger, env.WORKFLOWS_EVENT_POLL_MS) : new LocalEventNotifier(env.WORKFLOWS_EVENT_POLL_MS);
    const events = new EventLog(store, notifier);
    const selectionEndpoints = new ServiceEndpoints(env.SWITCHYARD_SELECTION_URL);
    const billing = new ServiceEndpoints(env.SWITCHYARD_BILLING_URL);
    const selection = new ServiceClient(selectionEndpoints, tokens);
    const engines = new EngineDirectory(
      {
        LANGGRAPH: new ServiceEndpoints(env.SWITCHYARD_ENGINE_LANGGRAPH_URL),
        CREWAI: new ServiceEndpoints(env.SWITCHYARD_ENGINE_CREWAI_URL),
        AUTOGEN: new ServiceEndpoints(env.SWITCHYARD_ENGINE_AUTOGEN_URL),
      },
      tokens,
    );
    let runner: WorkflowRunner | undefined;
    const tenants = new ServiceClient(env.SWITCHYARD_TENANTS_URL, tokens);
    const quotas = new TenantQuotas(tenants, { runsPerMonth: env.QUOTA_RUNS_PER_MONTH, concurrentWorkflows: env.QUOTA_CONCURRENT_WORKFLOWS }, logger);
    const telemetry = new TenantTelemetry(tenants, logger);
    const manager = new WorkflowManager(store, events, selection, () => runner!, engines, (tenantId) => quotas.of(tenantId), async (context) => {
      const response = await billing.fetch('/internal/budget/status', {
        headers: { [CONTEXT_HEADER]: await tokens.sign(context) },
        signal: AbortSignal.timeout(5000),
        idempotent: true,
      });
      if (!response.ok) throw new UnavailableError(`Billing could not tell whether the budget allows new work (HTTP ${response.status}); retry shortly.`);
      return (await response.json()) as { exhausted: boolean; limitUsd: number | null; spentUsd: number };
    }, (tenantId) => telemetry.of(tenantId));
    const usage = new UsageForwarder(store, billing, tokens, logger, { drainIntervalMs: env.USAGE_OUTBOX_INTERVAL_MS });
    runner = new WorkflowRunner(manager.workflows, events, tokens, logger, {
      replicaId: env.WORKFLOWS_REPLICA_ID,
      leaseMs: env.WORKFLOWS_LEASE_MS,
      recoveryIntervalMs: env.WORKFLOWS_RECOVERY_INTERVAL_MS,
      engineUrls: engines.urls,
      selectionUrl: selectionEndpoints,
      usage,
      metrics,
    });
    const activeRunner = runner;
    return {
      resolvers: buildResolvers(manager, new WorkflowEventFeeds(events, metrics)),
      afterListen: () => {
        activeRunner.startRecovery();
        usage.start();
      },
      stopTenant: (tenantId) => manager.cancelAllForErasure(tenantId),
      closers: [() => activeRunner.stop(), () => usage.stop(), () => notifier.close()],
    };
  },
});
