import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { TenantContext } from '@switchyard/contracts';
import { mountEngineRoutes } from '@switchyard/engine-kit';
import { ContextTokens, ServiceClient, ServiceEndpoints, createLogger } from '@switchyard/service-kit';
import { SqliteStore } from '@switchyard/store';
import { EngineDirectory } from './engine-directory.ts';
import { EventLog } from './event-log.ts';
import { WorkflowManager } from './workflow-manager.ts';

const tokens = new ContextTokens('a-test-secret-of-at-least-32-characters!');
const developer: TenantContext = { tenantId: 't1', role: 'DEVELOPER', keyId: null, subject: 'test' };

/** A real engine protocol server whose /engine/info requests are counted and can be held unanswered. */
async function startEngine() {
  const app = express();
  const state = { infoRequests: 0, holding: false, held: [] as (() => void)[] };
  app.use('/engine/info', (_req, _res, next) => {
    state.infoRequests += 1;
    if (state.holding) state.held.push(next);
    else next();
  });
  mountEngineRoutes(app, { run: async () => ({ status: 'SUCCEEDED', output: '' }) as never }, tokens, createLogger('engine', 'silent'));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  return {
    url,
    state,
    release: () => {
      state.holding = false;
      for (const next of state.held.splice(0)) next();
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).then(() => undefined),
    server,
  };
}

/** A loopback address where nothing listens. */
async function closedPort(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/graphql`;
}

describe('EngineDirectory', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  it('sends one probe per engine however many requests ask at once, and gives them all its answer', async () => {
    const engine = await startEngine();
    closers.push(async () => {
      engine.release();
      engine.server.closeAllConnections();
      await engine.close();
    });
    const directory = new EngineDirectory({ LANGGRAPH: new ServiceEndpoints(engine.url) }, tokens);
    engine.state.holding = true;
    const answers = Promise.all(Array.from({ length: 25 }, () => directory.availability('LANGGRAPH', developer)));
    await expect.poll(() => engine.state.held.length).toBe(1);
    engine.release();
    expect(new Set(await answers)).toEqual(new Set(['AVAILABLE']));
    expect(engine.state.infoRequests).toBe(1);
  });

  it('keeps the last good answer when a probe gets no answer in time', async () => {
    const engine = await startEngine();
    closers.push(async () => {
      engine.release();
      engine.server.closeAllConnections();
      await engine.close();
    });
    // Nothing is remembered, so every call probes.
    const directory = new EngineDirectory({ LANGGRAPH: new ServiceEndpoints(engine.url) }, tokens, { availableMs: 0, downMs: 0, probeTimeoutMs: 200 });
    expect(await directory.availability('LANGGRAPH', developer)).toBe('AVAILABLE');
    engine.state.holding = true;
    expect(await directory.availability('LANGGRAPH', developer)).toBe('AVAILABLE');
    expect(engine.state.infoRequests).toBe(2);
  });

  it('tells an engine that is down from one this deployment does not have', async () => {
    const directory = new EngineDirectory({ LANGGRAPH: new ServiceEndpoints(await closedPort()) }, tokens);
    expect(await directory.availability('LANGGRAPH', developer)).toBe('DOWN');
    expect(await directory.availability('CREWAI', developer)).toBe('NOT_CONFIGURED');
  });

  it('refuses startWorkflow on an engine that is down with a retryable UNAVAILABLE, and on a missing one with BAD_USER_INPUT', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const events = new EventLog(store);
    const engines = new EngineDirectory({ LANGGRAPH: new ServiceEndpoints(await closedPort()) }, tokens);
    const manager = new WorkflowManager(
      store,
      events,
      new ServiceClient('http://127.0.0.1:9/graphql', tokens),
      () => {
        throw new Error('no workflow may start while its engine is down');
      },
      engines,
    );
    await expect(manager.start(developer, { input: 'Summarise the claim', framework: 'LANGGRAPH' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      message: expect.stringContaining('retry shortly'),
    });
    await expect(manager.start(developer, { input: 'Summarise the claim', framework: 'CREWAI' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      message: expect.stringContaining('name another framework'),
    });
    // The idempotency key of a refused start is free again for the retry.
    await expect(manager.start(developer, { input: 'Summarise the claim', framework: 'LANGGRAPH', idempotencyKey: 'k1' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(manager.start(developer, { input: 'Summarise the claim', framework: 'LANGGRAPH', idempotencyKey: 'k1' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
