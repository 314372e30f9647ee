import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startCosmosEmulator, startNginx, startRedis, type RunningComponent, type RunningCosmos } from './infrastructure.ts';
import { ServiceSupervisor, type StackOptions } from './service-supervisor.ts';
import { SERVICES, type ServiceName } from './services.ts';

export interface DistributedStackOptions extends Omit<StackOptions, 'replicas'> {
  /** Processes of every service (default 2), or per service. The LLM simulator, standing in for a model provider, runs once. */
  replicas?: number | Partial<Record<ServiceName, number>>;
  /** Use these instead of starting the local Cosmos DB-compatible server and redis-server (e.g. an Azure account, a Cosmos DB emulator). */
  external?: { cosmos?: { endpoint: string; key?: string }; redisUrl?: string };
}

export interface DistributedStack {
  supervisor: ServiceSupervisor;
  /** The local Cosmos DB-compatible server, unless an external one was given. */
  cosmos: RunningCosmos | null;
  /** The local redis-server, unless an external one was given. */
  redis: RunningComponent | null;
  /** nginx in front of the gateway replicas. */
  balancer: RunningComponent;
  /** The public GraphQL URL (through nginx), HTTP and graphql-ws. */
  gatewayUrl: string;
  stop(): Promise<void>;
}

/**
 * The platform as it runs at scale, on one machine: several processes of every service from the
 * production build, no SQLite (state in a Cosmos DB-compatible server through the real @azure/cosmos
 * client, over verified TLS), events and rate limits through a real redis-server, the gateway
 * replicas behind nginx, and every peer reached through all its replicas' addresses. Killed
 * processes are restarted by the supervisor, as Kubernetes would.
 */
export async function startDistributedStack(options: DistributedStackOptions): Promise<DistributedStack> {
  const { stateDir } = options;
  mkdirSync(join(stateDir, 'logs'), { recursive: true });
  const fixed = options.ports === 'fixed';
  const perService = typeof options.replicas === 'object' ? options.replicas : {};
  const count = typeof options.replicas === 'number' ? options.replicas : 2;
  const replicas = Object.fromEntries(SERVICES.map((s) => [s.name, s.name === 'llm-simulator' ? 1 : (perService[s.name] ?? count)])) as Record<ServiceName, number>;

  const started: Array<{ stop(): Promise<void> }> = [];
  const stopAll = async () => {
    for (const component of started.reverse()) await component.stop().catch(() => undefined);
  };
  try {
    const cosmos = options.external?.cosmos ? null : await startCosmosEmulator({ stateDir, port: fixed ? 8081 : undefined });
    if (cosmos) started.push(cosmos);
    const redis = options.external?.redisUrl ? null : await startRedis({ port: fixed ? 6380 : undefined });
    if (redis) started.push(redis);
    const store: Record<string, string> = cosmos
      ? { COSMOS_ENDPOINT: cosmos.endpoint, COSMOS_KEY: cosmos.key, NODE_EXTRA_CA_CERTS: cosmos.caFile }
      : { COSMOS_ENDPOINT: options.external!.cosmos!.endpoint, ...(options.external!.cosmos!.key ? { COSMOS_KEY: options.external!.cosmos!.key } : {}) };
    const supervisor = new ServiceSupervisor({
      ...options,
      runtime: options.runtime ?? 'compiled',
      replicas,
      env: {
        SWITCHYARD_MODE: 'distributed',
        STORE_DRIVER: 'cosmos',
        ...store,
        REDIS_URL: redis?.url ?? options.external!.redisUrl!,
        ...options.env,
      },
    });
    started.push(supervisor);
    await supervisor.start();
    const balancer = await startNginx({
      stateDir,
      port: fixed ? 4000 : undefined,
      upstreams: supervisor.replicasOf('gateway').map((gateway) => `127.0.0.1:${gateway.port}`),
    });
    started.push(balancer);
    supervisor.publicGatewayUrl = `${balancer.url}/graphql`;
    return { supervisor, cosmos, redis, balancer, gatewayUrl: supervisor.publicGatewayUrl, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
