import { describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.ts';
import { SqliteVectorIndex } from './sqlite-vector-index.ts';
import { withTenantTombstones, withTombstoneGuard } from './tenant-tombstones.ts';

interface Doc {
  id: string;
  tenantId: string;
  n?: number;
}

describe('withTenantTombstones', () => {
  it('refuses every kind of write for an erased tenant on every replica, keeps others writing, and stores no id of it', async () => {
    const shared = new SqliteStore({ filename: ':memory:' });
    const erasedSeen: string[] = [];
    const a = withTenantTombstones(shared, { liveCacheMs: 50 });
    const b = withTenantTombstones(shared, { liveCacheMs: 50, onErased: (id) => erasedSeen.push(id) });
    const docsA = a.collection<Doc>('docs');
    const docsB = b.collection<Doc>('docs');
    await docsB.create({ id: 'x', tenantId: 'gone' });
    await a.tombstone('gone');
    await expect(docsA.create({ id: 'y', tenantId: 'gone' })).rejects.toMatchObject({ code: 'FORBIDDEN', extensions: { erased: true } });
    // The other replica still thinks it live for at most its cache time, then refuses too.
    await new Promise((resolve) => setTimeout(resolve, 60));
    for (const write of [
      () => docsB.create({ id: 'z', tenantId: 'gone' }),
      () => docsB.upsert({ id: 'x', tenantId: 'gone', n: 1 }),
      () => docsB.replace({ id: 'x', tenantId: 'gone', n: 2 }),
      () => docsB.increment('gone', 'c', 'n', 1),
    ]) {
      await expect(write()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    expect(erasedSeen).toEqual(['gone']);
    // Reads and deletes still work, and another tenant is untouched.
    expect(await docsB.deleteTenant('gone')).toBe(1);
    await docsB.create({ id: 'y', tenantId: 'stays' });
    expect(await docsA.increment('stays', 'c', 'n', 2)).toBe(2);
    expect(JSON.stringify(await shared.exportTenant('_tombstones'))).not.toContain('gone');
    expect(await b.isErased('stays')).toBe(false);
    await shared.close();
  });

  it("refuses a vector upsert into an erased tenant's index, and passes reads, deletes and other tenants", async () => {
    const shared = new SqliteStore({ filename: ':memory:' });
    const store = withTenantTombstones(shared);
    const inner = new SqliteVectorIndex({ filename: ':memory:' });
    const vectors = withTombstoneGuard(inner, store);
    await vectors.upsert('gone', [{ id: 'c1', documentId: 'd', vector: [1, 0] }]);
    await store.tombstone('gone');
    await expect(vectors.upsert('gone', [{ id: 'c2', documentId: 'd', vector: [0, 1] }])).rejects.toMatchObject({ code: 'FORBIDDEN', extensions: { erased: true } });
    expect(await inner.count('gone')).toBe(1);
    expect((await vectors.query('gone', [1, 0], 5)).map((m) => m.id)).toEqual(['c1']);
    expect(await vectors.deleteTenant('gone')).toBe(1);
    await vectors.upsert('stays', [{ id: 'c1', documentId: 'd', vector: [1, 0] }]);
    expect(await vectors.count('stays')).toBe(1);
    await vectors.close();
    await shared.close();
  });
});
