import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { TenantContext } from '@switchyard/contracts';

export interface BareGatewayProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export interface BareGatewayOptions {
  supergraphPath: string;
  subgraphUrls: Record<string, string>;
  contextSecret: string;
  tenant: TenantContext;
}

/** Fork bare-gateway.ts (a plain ApolloGateway) and resolve with its URL once it listens. */
export async function startBareGateway(options: BareGatewayOptions): Promise<BareGatewayProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./bare-gateway.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      // The same NODE_ENV the supervisor gives our gateway.
      NODE_ENV: process.env.NODE_ENV === 'production' ? 'production' : 'development',
      BARE_SUPERGRAPH_PATH: options.supergraphPath,
      BARE_SUBGRAPH_URLS: JSON.stringify(options.subgraphUrls),
      BARE_TENANT_CONTEXT: JSON.stringify(options.tenant),
      SWITCHYARD_CONTEXT_SECRET: options.contextSecret,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the bare gateway did not start within 60 s')), 60_000);
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message?.type === 'ready' && message.url) {
        clearTimeout(timer);
        resolve(message.url);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the bare gateway exited before it was ready (${signal ?? `code ${code}`})`));
    });
  });
  return {
    url,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
