import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ServiceSupervisor } from '@switchyard/stack';
import { ensureConsoleBuild } from '../console/console-build.ts';
import { loadOrCreateDevState } from './dev-credentials.ts';

// `npm start`: the whole platform on embedded defaults (SQLite under .switchyard/data, the LLM simulator).
const stateDir = resolve(process.env.SWITCHYARD_STATE_DIR ?? '.switchyard');
const dev = loadOrCreateDevState(`${stateDir}/dev-state.json`);
const supervisor = new ServiceSupervisor({
  stateDir,
  ports: 'fixed',
  contextSecret: dev.contextSecret,
  adminKey: dev.adminKey,
  devKey: dev.devKey,
  devTenant: dev.tenantId,
  masterKey: dev.masterKey,
  restart: true,
  onEvent: (message) => console.log(`[switchyard] ${message}`),
});

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n[switchyard] ${signal}: stopping every service...`);
  await supervisor.stop();
  console.log('[switchyard] stopped.');
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));

// The web console the gateway serves at /: built when missing or older than its sources.
try {
  await ensureConsoleBuild({ log: (message) => console.log(`[switchyard] ${message}`) });
} catch (error) {
  console.error(`[switchyard] the web console could not be built; the API runs without it. ${(error as Error).message}`);
}

try {
  await supervisor.start();
} catch (error) {
  console.error(`[switchyard] could not start: ${(error as Error).message}`);
  await supervisor.stop();
  process.exit(1);
}

const services = Object.fromEntries([...supervisor.services.values()].map((s) => [s.name, s.url]));
const gatewayUrl = supervisor.gatewayUrl.replace('127.0.0.1', 'localhost');
const devJson = {
  gatewayUrl,
  wsUrl: gatewayUrl.replace(/^http/, 'ws'),
  adminKey: dev.adminKey,
  tenantId: dev.tenantId,
  apiKey: dev.devKey,
  services,
};
writeFileSync(`${stateDir}/dev.json`, `${JSON.stringify(devJson, null, 2)}\n`, { mode: 0o600 });
console.log(`
Switchyard is running.
  GraphQL (HTTP and graphql-ws): ${devJson.gatewayUrl}
  Web console:                   ${devJson.gatewayUrl.replace(/\/graphql$/, '/')}
  Dev tenant:                    ${dev.tenantId}
  Dev API key (TENANT_ADMIN):    ${dev.devKey}
  Platform admin key:            ${dev.adminKey}
  Credentials written to ${stateDir}/dev.json; logs in ${stateDir}/logs.
  The model is the bundled LLM simulator: replies are simulated, not real. See README for a real model.
Press Ctrl-C to stop.`);
