import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.ts';
import { SqliteVectorIndex } from './sqlite-vector-index.ts';
import { describeVectorIndexContract } from './vector-index.contract.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-vectors-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describeVectorIndexContract('SqliteVectorIndex (temp file)', async () => {
  const dir = tempDir();
  const index = new SqliteVectorIndex({ filename: join(dir, 'nested', 'service.db') });
  return { index, cleanup: () => index.close() };
});

describe('SqliteVectorIndex beside a SqliteStore', () => {
  it("shares the store's file without touching its tables, and its vectors outlive a reopen", async () => {
    const file = join(tempDir(), 'knowledge.db');
    const store = new SqliteStore({ filename: file });
    const index = new SqliteVectorIndex({ filename: file, name: 'chunks' });
    await store.collection('chunks').create({ id: 'c1', tenantId: 't' });
    await index.upsert('t', [{ id: 'c1', documentId: 'd', vector: [0.6, 0.8] }]);
    expect(await store.deleteTenant('t')).toBe(1);
    expect(await index.count('t')).toBe(1);
    await index.close();

    const reopened = new SqliteVectorIndex({ filename: file, name: 'chunks' });
    expect((await reopened.query('t', [0.6, 0.8], 1)).map((m) => m.id)).toEqual(['c1']);
    expect(reopened.vectorRows('t')).toBe(1);
    expect(await reopened.deleteTenant('t')).toBe(1);
    expect(reopened.vectorRows('t')).toBe(0);
    await reopened.close();
    await store.close();

    // What is on disk: the store's doc_ table, the index's vec_ tables, and no leftover rows.
    const db = new Database(file, { readonly: true });
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all() as string[];
    expect(tables).toContain('doc_chunks');
    expect(tables).toContain('vec_chunks_keys');
    expect(tables).toContain('vec_chunks_d2');
    expect(tables.filter((t) => !/^(doc_|vec_chunks|sqlite_)/.test(t))).toEqual([]);
    expect(db.prepare('SELECT COUNT(*) FROM vec_chunks_keys').pluck().get()).toBe(0);
    db.close();
  });

  it('two indexes in one file keep their vectors apart', async () => {
    const file = join(tempDir(), 'two.db');
    const one = new SqliteVectorIndex({ filename: file, name: 'one' });
    const two = new SqliteVectorIndex({ filename: file, name: 'two' });
    await one.upsert('t', [{ id: 'a', documentId: 'd', vector: [1, 0] }]);
    expect(await two.query('t', [1, 0], 5)).toEqual([]);
    expect(await two.count('t')).toBe(0);
    await one.close();
    await two.close();
  });
});
