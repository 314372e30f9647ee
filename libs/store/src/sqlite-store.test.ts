import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeDocumentStoreContract } from './document-store.contract.ts';
import type { BaseDocument, Collection } from './document-store.ts';
import { SqliteStore } from './sqlite-store.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-store-'));
  dirs.push(dir);
  return dir;
}

describeDocumentStoreContract('SqliteStore (temp file)', async () => {
  const dir = tempDir();
  const store = new SqliteStore({ filename: join(dir, 'nested', 'store.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

interface Counter extends BaseDocument {
  hits: number;
}

describe('SqliteStore sharing one file', () => {
  let filename: string;
  let stores: SqliteStore[];

  beforeEach(() => {
    filename = join(tempDir(), 'shared.db');
    stores = [new SqliteStore({ filename }), new SqliteStore({ filename })];
  });

  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  it('sees writes made through another connection, and conditional writes respect them', async () => {
    const [a, b] = stores.map((store) => store.collection<Counter>('counters')) as [Collection<Counter>, Collection<Counter>];
    const created = await a.create({ id: 'x', tenantId: 't', hits: 1 });
    expect(await b.get('t', 'x')).toEqual(created);
    await b.replace({ id: 'x', tenantId: 't', hits: 2 }, { ifMatch: created.etag });
    await expect(a.replace({ id: 'x', tenantId: 't', hits: 3 }, { ifMatch: created.etag })).rejects.toThrow(/changed/);
    expect((await a.get('t', 'x'))?.doc.hits).toBe(2);
    // A collection only the second connection has opened still counts for the first one's deleteTenant.
    await stores[1]!.collection<Counter>('only-b').create({ id: 'y', tenantId: 't', hits: 0 });
    expect(await stores[0]!.deleteTenant('t')).toBe(2);
    expect(await b.get('t', 'x')).toBeNull();
  });

  it('keeps increments exact across connections', async () => {
    const [a, b] = stores.map((store) => store.collection<Counter>('counters')) as [Collection<Counter>, Collection<Counter>];
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).increment('t', 'n', 'hits', 1)));
    expect((await a.get('t', 'n'))?.doc.hits).toBe(40);
  });

  it('keeps increments exact across processes', async () => {
    const worker = join(import.meta.dirname, '..', 'test', 'fixtures', 'sqlite-increment-worker.ts');
    const run = promisify(execFile);
    const processes = 4;
    const perProcess = 500;
    const startAt = String(Date.now() + 2000);
    await Promise.all(
      Array.from({ length: processes }, () => run(process.execPath, ['--import', 'tsx', worker, filename, String(perProcess), startAt])),
    );
    const counters = stores[0]!.collection<Counter>('counters');
    expect((await counters.get('t', 'shared'))?.doc.hits).toBe(processes * perProcess);
  });
});

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
