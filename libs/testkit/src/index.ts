import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ServiceSupervisor, startCosmosEmulator, startDistributedStack, type RunningCosmos, type DistributedStack, type DistributedStackOptions, type ServiceName } from '@switchyard/stack';
import { SwitchyardClient } from '@switchyard/client';

export interface TestStack {
  gatewayUrl: string;
  adminKey: string;
  apiKey: string;
  tenantId: string;
  stateDir: string;
  supervisor: ServiceSupervisor;
  /** A typed client authenticated with the dev tenant's TENANT_ADMIN key (or the given key). */
  client(apiKey?: string): SwitchyardClient;
  /** Stop every process; the state directory is removed unless keepState. */
  stop(options?: { keepState?: boolean }): Promise<void>;
}

function newKey(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyz23456789';
  return `sy_${Array.from(randomBytes(12), (b) => alphabet[b % alphabet.length]).join('')}_${randomBytes(32).toString('base64url')}`;
}

export interface TestStackOptions {
  /** Reuse a state directory (and its credentials) of an earlier stack, to test restarts. */
  reuse?: Pick<TestStack, 'stateDir' | 'adminKey' | 'apiKey' | 'tenantId'> & { contextSecret: string };
  env?: Record<string, string>;
  only?: ServiceName[];
  /** Run the production build (dist/, `npm run build`) instead of the TypeScript sources. */
  runtime?: 'sources' | 'compiled';
  /**
   * sqlite (default): each service's SQLite file. cosmos: every service on a Cosmos DB-compatible
   * server through @azure/cosmos. The default comes from SWITCHYARD_TEST_STORE, so a whole suite
   * can run on either driver.
   */
  store?: 'sqlite' | 'cosmos';
}

/**
 * Start the whole platform as real processes on free loopback ports, with a fresh state directory,
 * a platform admin key and a dev tenant with a TENANT_ADMIN key.
 */
export async function startTestStack(options: TestStackOptions = {}): Promise<TestStack & { contextSecret: string }> {
  const stateDir = options.reuse?.stateDir ?? mkdtempSync(join(tmpdir(), 'switchyard-test-'));
  const adminKey = options.reuse?.adminKey ?? newKey();
  const apiKey = options.reuse?.apiKey ?? newKey();
  const tenantId = options.reuse?.tenantId ?? `t-${randomBytes(4).toString('hex')}`;
  const contextSecret = options.reuse?.contextSecret ?? randomBytes(32).toString('base64url');
  const store = options.store ?? (process.env.SWITCHYARD_TEST_STORE === 'cosmos' ? 'cosmos' : 'sqlite');
  let cosmos: RunningCosmos | null = null;
  if (store === 'cosmos') {
    // The reused state directory of a restart test keeps its server: data lives in that process.
    cosmos = options.reuse ? (cosmosServers.get(stateDir) ?? null) : null;
    if (!cosmos) {
      mkdirSync(join(stateDir, 'logs'), { recursive: true });
      cosmos = await startCosmosEmulator({ stateDir });
      cosmosServers.set(stateDir, cosmos);
    }
  }
  // Knowledge keeps its vectors in SQLite: the Cosmos-compatible server has no VectorDistance (libs/store's Cosmos vector tests say so).
  const storeEnv: Record<string, string> = cosmos
    ? { STORE_DRIVER: 'cosmos', COSMOS_ENDPOINT: cosmos.endpoint, COSMOS_KEY: cosmos.key, NODE_EXTRA_CA_CERTS: cosmos.caFile, VECTOR_INDEX_DRIVER: 'sqlite' }
    : {};
  const supervisor = new ServiceSupervisor({
    stateDir,
    ports: 'free',
    contextSecret,
    adminKey,
    devKey: apiKey,
    devTenant: tenantId,
    masterKey: randomBytes(32).toString('base64'),
    restart: true,
    env: { LOG_LEVEL: 'warn', ...storeEnv, ...options.env },
    only: options.only,
    runtime: options.runtime,
  });
  try {
    await supervisor.start();
  } catch (error) {
    await supervisor.stop();
    throw error;
  }
  return testStack(supervisor, { stateDir, adminKey, apiKey, tenantId, contextSecret }, async (keepState) => {
    await supervisor.stop();
    if (!keepState) {
      await cosmosServers.get(stateDir)?.stop();
      cosmosServers.delete(stateDir);
    }
  });
}

/** Cosmos DB-compatible servers of test stacks, by state directory, kept for stacks that reuse it. */
const cosmosServers = new Map<string, RunningCosmos>();

export interface DistributedTestStack extends TestStack {
  contextSecret: string;
  distributed: DistributedStack;
}

/**
 * The distributed mode (startDistributedStack: replicas of every service from the production build,
 * the Cosmos DB-compatible server, redis-server and nginx) with fresh credentials, on free ports.
 * Needs `npm run build` first, redis-server and nginx installed.
 */
export async function startDistributedTestStack(options: Pick<DistributedStackOptions, 'replicas' | 'env' | 'onEvent'> = {}): Promise<DistributedTestStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'switchyard-distributed-'));
  const credentials = { stateDir, adminKey: newKey(), apiKey: newKey(), tenantId: `t-${randomBytes(4).toString('hex')}`, contextSecret: randomBytes(32).toString('base64url') };
  const distributed = await startDistributedStack({
    stateDir,
    ports: 'free',
    contextSecret: credentials.contextSecret,
    adminKey: credentials.adminKey,
    devKey: credentials.apiKey,
    devTenant: credentials.tenantId,
    masterKey: randomBytes(32).toString('base64'),
    restart: true,
    replicas: options.replicas,
    env: { LOG_LEVEL: 'warn', ...options.env },
    onEvent: options.onEvent,
  });
  return { ...testStack(distributed.supervisor, credentials, () => distributed.stop()), distributed };
}

function testStack(
  supervisor: ServiceSupervisor,
  credentials: Pick<TestStack, 'stateDir' | 'adminKey' | 'apiKey' | 'tenantId'> & { contextSecret: string },
  stopAll: (keepState: boolean) => Promise<void>,
): TestStack & { contextSecret: string } {
  const { stateDir, adminKey, apiKey, tenantId, contextSecret } = credentials;
  const gatewayUrl = supervisor.services.has('gateway') ? supervisor.gatewayUrl : '';
  return {
    gatewayUrl,
    adminKey,
    apiKey,
    tenantId,
    stateDir,
    contextSecret,
    supervisor,
    client: (key = apiKey) => new SwitchyardClient({ url: gatewayUrl, apiKey: key }),
    async stop({ keepState = false } = {}) {
      await stopAll(keepState);
      if (!keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Poll until `check` returns a value (not undefined), or fail after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
export * from './redis-server.ts';
export { SeededRandom } from './hostile-input/seeded-random.ts';
export { retryWhileRestarting } from './retry-while-restarting.ts';
