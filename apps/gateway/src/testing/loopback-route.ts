import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { requireTenantContext, type ContextTokens } from '@switchyard/service-kit';

/**
 * One internal route of a platform service, served on 127.0.0.1 behind the signed tenant context, as
 * the gateway calls it in tests. The handler answers through `respond`: while `holding` is set the
 * answers wait until `release()`, so a test can make requests overlap.
 */
export async function startLoopbackRoute(
  path: string,
  tokens: ContextTokens,
  handler: (req: express.Request, res: express.Response, respond: (answer: () => void) => void) => void,
) {
  const gate = { holding: false, held: [] as (() => void)[] };
  const app = express();
  app.post(path, requireTenantContext(tokens), express.json(), (req, res) => {
    handler(req, res, (answer) => (gate.holding ? gate.held.push(answer) : answer()));
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    gate,
    release() {
      gate.holding = false;
      for (const answer of gate.held.splice(0)) answer();
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
