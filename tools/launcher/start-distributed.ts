import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startDistributedStack, type DistributedStack } from '@switchyard/stack';
import { loadOrCreateDevState } from './dev-credentials.ts';

// `npm run start:distributed`: the platform as it runs at scale, on this machine: SWITCHYARD_REPLICAS
// (default 2) processes of every service from the production build, state in a Cosmos DB-compatible
// server (or COSMOS_ENDPOINT/COSMOS_KEY), events and rate limits in redis-server (or REDIS_URL),
// the gateway replicas behind nginx on port 4000.
const stateDir = resolve(process.env.SWITCHYARD_STATE_DIR ?? '.switchyard/distributed');
const replicas = Number.parseInt(process.env.SWITCHYARD_REPLICAS ?? '2', 10);
if (!Number.isInteger(replicas) || replicas < 1) {
  console.error(`[switchyard] SWITCHYARD_REPLICAS must be a whole number >= 1, not "${process.env.SWITCHYARD_REPLICAS}".`);
  process.exit(1);
}
const dev = loadOrCreateDevState(`${stateDir}/dev-state.json`);

let stack: DistributedStack | undefined;
let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n[switchyard] ${signal}: stopping every process...`);
  await stack?.stop();
  console.log('[switchyard] stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

try {
  stack = await startDistributedStack({
    stateDir,
    ports: 'fixed',
    contextSecret: dev.contextSecret,
    adminKey: dev.adminKey,
    devKey: dev.devKey,
    devTenant: dev.tenantId,
    masterKey: dev.masterKey,
    restart: true,
    replicas,
    external: {
      ...(process.env.COSMOS_ENDPOINT ? { cosmos: { endpoint: process.env.COSMOS_ENDPOINT, key: process.env.COSMOS_KEY } } : {}),
      ...(process.env.REDIS_URL ? { redisUrl: process.env.REDIS_URL } : {}),
    },
    onEvent: (message) => console.log(`[switchyard] ${message}`),
  });
} catch (error) {
  console.error(`[switchyard] could not start: ${(error as Error).message}`);
  process.exit(1);
}

const gatewayUrl = stack.gatewayUrl.replace('127.0.0.1', 'localhost');
const services = Object.fromEntries([...stack.supervisor.services.values()].map((s) => [s.name, s.url]));
writeFileSync(
  `${stateDir}/dev.json`,
  `${JSON.stringify({ gatewayUrl, wsUrl: gatewayUrl.replace(/^http/, 'ws'), adminKey: dev.adminKey, tenantId: dev.tenantId, apiKey: dev.devKey, services }, null, 2)}\n`,
  { mode: 0o600 },
);
console.log(`
Switchyard is running in distributed mode: ${replicas} processes of every service.
  GraphQL (HTTP and graphql-ws, through nginx): ${gatewayUrl}
  Gateway replicas:   ${stack.supervisor.replicasOf('gateway').map((g) => g.url).join(', ')}
  Store:              ${stack.cosmos ? `Cosmos DB-compatible server ${stack.cosmos.endpoint} (in memory: data lasts while it runs)` : process.env.COSMOS_ENDPOINT}
  Redis:              ${stack.redis?.url ?? process.env.REDIS_URL}
  Dev tenant:         ${dev.tenantId}
  Dev API key:        ${dev.devKey}
  Platform admin key: ${dev.adminKey}
  Credentials in ${stateDir}/dev.json; logs in ${stateDir}/logs.
  The model is the bundled LLM simulator: replies are simulated, not real.
Press Ctrl-C to stop.`);
