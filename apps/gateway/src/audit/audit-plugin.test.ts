import { Writable } from 'node:stream';
import { ApolloServer } from '@apollo/server';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { TenantContext } from '@switchyard/contracts';
import { ContextTokens } from '@switchyard/service-kit';
import { startLoopbackRoute } from '../testing/loopback-route.ts';
import { auditPlugin } from './audit-plugin.ts';
import { AuditQueue, type AuditQueueOptions, type AuditRecord } from './audit-queue.ts';

const tokens = new ContextTokens('a-test-secret-of-at-least-32-characters!');
const tenant: TenantContext = { tenantId: 'acme', role: 'TENANT_ADMIN', keyId: 'key-1', subject: 'key:key-1' };

/**
 * The tenants service's audit endpoint as the gateway calls it (POST /internal/audit behind a signed
 * context), storing records in memory; writes can be held open, or refused with an error status.
 */
async function startAuditLog() {
  const records: AuditRecord[] = [];
  const state = { attempts: 0, open: 0, failNext: 0 };
  const route = await startLoopbackRoute('/internal/audit', tokens, (req, res, respond) => {
    state.attempts += 1;
    if (state.failNext > 0) {
      state.failNext -= 1;
      res.status(503).end();
      return;
    }
    state.open += 1;
    res.on('close', () => (state.open -= 1));
    respond(() => {
      if (res.destroyed) return;
      records.push(req.body as AuditRecord);
      res.status(204).end();
    });
  });
  return { ...route, records, state };
}

/** A logger whose error lines the test can read. */
function capturingLogger() {
  const lines: { level: number; msg: string }[] = [];
  const logger = pino(
    { level: 'warn' },
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(JSON.parse(chunk.toString()) as { level: number; msg: string });
        callback();
      },
    }),
  );
  return { logger, errors: () => lines.filter((line) => line.level >= 50).map((line) => line.msg) };
}

const record = (operation: string): AuditRecord => ({ tenantId: 'acme', actor: 'key:key-1', role: 'TENANT_ADMIN', operation, fields: ['rename'], outcome: 'ok', errorCodes: [], at: '2026-11-27T06:00:00.000Z' });

describe('audit records', () => {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function setUp(options: Partial<AuditQueueOptions> = {}) {
    const auditLog = await startAuditLog();
    const { logger, errors } = capturingLogger();
    const queue = new AuditQueue(auditLog.url, tokens, logger, { minRetryMs: 10, maxRetryMs: 50, ...options });
    closers.push(auditLog.close, async () => {
      auditLog.release();
      await queue.close(1000);
    });
    const server = new ApolloServer<{ tenant: TenantContext }>({
      typeDefs: 'type Query { auditLog: [String!]! } type Mutation { rename(name: String!): String! }',
      resolvers: {
        Query: { auditLog: () => auditLog.records.map((r) => r.operation) },
        Mutation: { rename: (_root: unknown, { name }: { name: string }) => name },
      },
      plugins: [auditPlugin(queue)],
    });
    await server.start();
    closers.push(() => server.stop());
    const execute = async (query: string) => {
      const response = await server.executeOperation({ query }, { contextValue: { tenant } });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return response.body.singleResult;
    };
    return { auditLog, queue, errors, execute };
  }

  it('answers a mutation before its audit record is written, then writes it', async () => {
    const { auditLog, queue, execute } = await setUp();
    auditLog.gate.holding = true;
    const result = await execute('mutation Rename { rename(name: "a") }');
    expect(result.data).toEqual({ rename: 'a' });
    // The write is still open at the audit log: the answer did not wait for it.
    await expect.poll(() => auditLog.state.open).toBe(1);
    expect(auditLog.records).toEqual([]);
    auditLog.release();
    expect(await queue.flush(5000)).toBe(true);
    expect(auditLog.records).toEqual([expect.objectContaining({ tenantId: 'acme', actor: 'key:key-1', operation: 'Rename', fields: ['rename'], outcome: 'ok' })]);
    expect(queue.counts).toMatchObject({ written: 1, dropped: 0 });
  });

  it('makes a request that reads the audit log wait for the records queued before it', async () => {
    const { auditLog, queue, execute } = await setUp();
    auditLog.gate.holding = true;
    await execute('mutation First { rename(name: "a") }');
    await execute('mutation Second { rename(name: "b") }');
    const read = execute('query { auditLog }');
    await expect.poll(() => queue.flushing).toBe(1);
    auditLog.release();
    expect((await read).data).toEqual({ auditLog: ['First', 'Second'] });
  });

  it('writes a record the tenants service failed to take, once, after retrying', async () => {
    const { auditLog, queue, errors, execute } = await setUp();
    auditLog.state.failNext = 3;
    await execute('mutation Rename { rename(name: "a") }');
    expect(await queue.flush(5000)).toBe(true);
    expect(auditLog.records.map((r) => r.operation)).toEqual(['Rename']);
    expect(auditLog.state.attempts).toBe(4);
    expect(errors()).toEqual([]);
  });

  it('drops records beyond its capacity, logging and counting each, and writes the rest', async () => {
    const { auditLog, queue, errors } = await setUp({ capacity: 2, concurrency: 1 });
    auditLog.gate.holding = true;
    for (const name of ['r1', 'r2', 'r3', 'r4', 'r5']) queue.add(record(name));
    // r1 is being written, r2 and r3 wait: r4 and r5 find the queue full.
    expect(queue.counts.dropped).toBe(2);
    expect(errors()).toEqual([expect.stringContaining('audit queue is full'), expect.stringContaining('audit queue is full')]);
    auditLog.release();
    expect(await queue.flush(5000)).toBe(true);
    expect(auditLog.records.map((r) => r.operation)).toEqual(['r1', 'r2', 'r3']);
  });

  it('writes out what is queued when it closes, and logs what it could not write by its deadline', async () => {
    const { auditLog, queue, errors } = await setUp();
    for (const name of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6']) queue.add(record(name));
    await queue.close(5000);
    expect(auditLog.records.map((r) => r.operation).sort()).toEqual(['r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    expect(errors()).toEqual([]);

    const down = await setUp({ concurrency: 1 });
    await down.auditLog.close();
    for (const name of ['r1', 'r2']) down.queue.add(record(name));
    await down.queue.close(200);
    expect(down.queue.counts).toMatchObject({ written: 0, unwritten: 2 });
    expect(down.errors().join('\n')).toContain('not written before shutdown');
  });
});
