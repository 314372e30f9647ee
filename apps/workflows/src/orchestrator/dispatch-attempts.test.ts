import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextTokens, ServiceEndpoints, createLogger } from '@switchyard/service-kit';
import { SqliteStore } from '@switchyard/store';
import { eventually } from '@switchyard/testkit';
import { EventLog } from './event-log.ts';
import { LocalEventNotifier } from './event-notifier.ts';
import { WorkflowRunner } from './workflow-runner.ts';
import type { WorkflowDoc } from './workflow-documents.ts';
import { workflowFixture } from './workflow-fixture.ts';

const tokens = new ContextTokens('a-test-secret-of-at-least-32-characters!');
const closers: Array<() => unknown> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A real engine endpoint: `answer` decides, per request, how the run ends. */
async function engine(answer: (attempt: number, res: http.ServerResponse) => void): Promise<{ url: string; attempts: () => number }> {
  let attempts = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      attempts += 1;
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ kind: 'event', event: { type: 'STEP_STARTED', step: 'plan' } })}\n`);
      answer(attempts, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, attempts: () => attempts };
}

async function runOn(url: string): Promise<{ final: () => Promise<WorkflowDoc> }> {
  const store = new SqliteStore({ filename: ':memory:' });
  const workflows = store.collection<WorkflowDoc>('workflows', { indexes: ['status', 'createdAt', 'updatedAt'] });
  const events = new EventLog(store, new LocalEventNotifier(3_600_000));
  const runner = new WorkflowRunner(workflows, events, tokens, createLogger('test', 'silent'), {
    replicaId: 'r1',
    leaseMs: 2000,
    recoveryIntervalMs: 100,
    engineUrls: { LANGGRAPH: new ServiceEndpoints(url) },
  });
  await workflows.create(workflowFixture('t1', 'w1', 'QUEUED', { input: 'Reconcile' }));
  runner.startRecovery();
  closers.push(async () => { await runner.stop(); await store.close(); });
  return {
    final: () => eventually(async () => {
      const doc = (await workflows.get('t1', 'w1'))!.doc;
      return ['SUCCEEDED', 'FAILED'].includes(doc.status) ? doc : undefined;
    }, 30_000, 100),
  };
}

describe('giving up on a workflow', () => {
  it('fails a workflow whose engine run dies every time, after 5 runs', async () => {
    // It accepts the run and reports an event, then the process dies mid-stream.
    const dying = await engine((_attempt, res) => setTimeout(() => res.socket?.destroy(), 50));
    const doc = await (await runOn(dying.url)).final();
    expect(doc.status).toBe('FAILED');
    expect(doc.error).toContain('5 times without finishing it');
    expect(dying.attempts()).toBe(5);
  });

  it('does not count runs the engine stopped because a dependency was down (code UNAVAILABLE)', async () => {
    const flaky = await engine((attempt, res) => {
      if (attempt <= 6) res.end(`${JSON.stringify({ kind: 'result', result: { status: 'FAILED', error: 'billing is down', code: 'UNAVAILABLE' } })}\n`);
      else res.end(`${JSON.stringify({ kind: 'result', result: { status: 'SUCCEEDED', output: 'done' } })}\n`);
    });
    const doc = await (await runOn(flaky.url)).final();
    expect(doc.status).toBe('SUCCEEDED');
    expect(flaky.attempts()).toBe(7);
  });
});
