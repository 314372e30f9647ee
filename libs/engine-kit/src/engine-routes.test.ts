import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { BadUserInputError, CONTEXT_HEADER, UnavailableError, initialUniversalState } from '@switchyard/contracts';
import { ContextTokens, createLogger } from '@switchyard/service-kit';
import { mountEngineRoutes, type Engine } from './engine-routes.ts';

const tokens = new ContextTokens('a-test-secret-of-at-least-32-characters!');
const servers: Array<{ close(): void }> = [];
afterEach(() => servers.splice(0).forEach((server) => server.close()));

async function runOn(engine: Engine): Promise<Array<{ kind: string; result?: { status: string; code?: string } }>> {
  const app = express();
  mountEngineRoutes(app, engine, tokens, createLogger('test', 'silent'));
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await new Promise((resolve) => server.once('listening', resolve));
  const state = initialUniversalState({ tenantId: 't1', workflowId: 'w1', userId: 'u1', framework: 'LANGGRAPH', input: 'x' });
  const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/engine/runs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await tokens.sign({ tenantId: 't1', role: 'DEVELOPER', keyId: null, subject: 'service:workflows' }) },
    body: JSON.stringify({ state, definition: null }),
  });
  return (await response.text()).split('\n').filter(Boolean).map((line) => JSON.parse(line));
}

describe('POST /engine/runs', () => {
  it('ends a run stopped by an unavailable dependency with code UNAVAILABLE, which the orchestrator retries from its checkpoint', async () => {
    const messages = await runOn({
      run: async (_request, io) => {
        io.emit({ type: 'STEP_STARTED', step: 'plan' });
        throw new UnavailableError('Billing could not be reached; retry later.');
      },
    });
    expect(messages.map((m) => m.kind)).toEqual(['event', 'result']);
    expect(messages[1]!.result).toMatchObject({ status: 'FAILED', code: 'UNAVAILABLE' });
  });

  it('reports any other error as a FAILED result with its code', async () => {
    const messages = await runOn({
      run: async () => {
        throw new BadUserInputError('bad graph');
      },
    });
    expect(messages).toEqual([{ kind: 'result', result: { status: 'FAILED', error: 'bad graph', code: 'BAD_USER_INPUT' } }]);
  });
});
