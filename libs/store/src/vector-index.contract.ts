import { afterEach, beforeEach, describe, expect, it, type TestContext } from 'vitest';
import type { VectorIndex } from './vector-index.ts';

/** A fresh, empty index for one test, and how to release it afterwards. */
export interface VectorIndexFixture {
  index: VectorIndex;
  cleanup(): Promise<void>;
  /**
   * Set when the backend cannot answer nearest-neighbour queries (a local emulator without vector
   * search): the reason, shown on every skipped query test. Everything else still runs.
   */
  queryUnsupported?: string;
}

const A = 'tenant-a';
const B = 'tenant-b';

/** A unit vector along axis `i` of `n` dimensions, tilted slightly towards axis `j` when given. */
function axis(n: number, i: number, j?: number, tilt = 0.1): number[] {
  const v = new Array<number>(n).fill(0);
  v[i] = 1;
  if (j !== undefined) v[j] = tilt;
  return v;
}

/** The behaviour every VectorIndex adapter must show; run it against each adapter. */
export function describeVectorIndexContract(name: string, open: () => Promise<VectorIndexFixture>): void {
  describe(`VectorIndex contract: ${name}`, () => {
    let fixture: VectorIndexFixture;
    let index: VectorIndex;
    beforeEach(async () => {
      fixture = await open();
      index = fixture.index;
    });
    afterEach(async () => {
      await fixture.cleanup();
    });
    const needsQuery = (context: TestContext) => {
      if (fixture.queryUnsupported) context.skip(fixture.queryUnsupported);
    };

    it('returns the nearest entries first with cosine distances, at most k', async (context) => {
      await index.upsert(A, [
        { id: 'x', documentId: 'd1', vector: axis(4, 0) },
        { id: 'x-ish', documentId: 'd1', vector: axis(4, 0, 1, 0.5) },
        { id: 'y', documentId: 'd2', vector: axis(4, 1) },
        { id: 'minus-x', documentId: 'd2', vector: [-1, 0, 0, 0] },
      ]);
      expect(await index.count(A)).toBe(4);
      needsQuery(context);
      const matches = await index.query(A, axis(4, 0), 10);
      expect(matches.map((m) => m.id)).toEqual(['x', 'x-ish', 'y', 'minus-x']);
      expect(matches[0]).toMatchObject({ id: 'x', documentId: 'd1' });
      expect(matches[0]!.distance).toBeCloseTo(0, 5);
      expect(matches[1]!.distance).toBeCloseTo(1 - 1 / Math.hypot(1, 0.5), 5);
      expect(matches[2]!.distance).toBeCloseTo(1, 5);
      expect(matches[3]!.distance).toBeCloseTo(2, 5);
      expect((await index.query(A, axis(4, 1), 2)).map((m) => m.id)).toEqual(['y', 'x-ish']);
    });

    it("never returns another tenant's entries, even identical ones", async (context) => {
      await index.upsert(A, [{ id: 'a1', documentId: 'doc', vector: axis(3, 0) }]);
      await index.upsert(B, [
        { id: 'b1', documentId: 'doc', vector: axis(3, 0) },
        { id: 'b2', documentId: 'doc', vector: axis(3, 0, 1) },
      ]);
      expect(await index.count(A)).toBe(1);
      expect(await index.count(B)).toBe(2);
      expect(await index.count('tenant-c')).toBe(0);
      needsQuery(context);
      expect((await index.query(A, axis(3, 0), 10)).map((m) => m.id)).toEqual(['a1']);
      expect((await index.query(B, axis(3, 0), 10)).map((m) => m.id)).toEqual(['b1', 'b2']);
      expect(await index.query('tenant-c', axis(3, 0), 10)).toEqual([]);
    });

    it('overwrites an entry with the same id instead of adding one', async (context) => {
      await index.upsert(A, [
        { id: 'moving', documentId: 'd1', vector: axis(3, 0) },
        { id: 'still', documentId: 'd1', vector: axis(3, 1) },
      ]);
      await index.upsert(A, [{ id: 'moving', documentId: 'd2', vector: axis(3, 2) }]);
      expect(await index.count(A)).toBe(2);
      expect(await index.deleteDocument(A, 'd2')).toBe(1);
      expect(await index.count(A)).toBe(1);
      await index.upsert(A, [{ id: 'moving', documentId: 'd2', vector: axis(3, 2) }]);
      needsQuery(context);
      const [nearest] = await index.query(A, axis(3, 2), 1);
      expect(nearest).toMatchObject({ id: 'moving', documentId: 'd2' });
      expect(nearest!.distance).toBeCloseTo(0, 5);
    });

    it("removes one document's entries of one tenant and nothing else", async (context) => {
      await index.upsert(A, [
        { id: 'a1', documentId: 'gone', vector: axis(3, 0) },
        { id: 'a2', documentId: 'gone', vector: axis(3, 1) },
        { id: 'a3', documentId: 'kept', vector: axis(3, 2) },
      ]);
      await index.upsert(B, [{ id: 'b1', documentId: 'gone', vector: axis(3, 0) }]);
      expect(await index.deleteDocument(A, 'gone')).toBe(2);
      expect(await index.deleteDocument(A, 'gone')).toBe(0);
      expect(await index.count(A)).toBe(1);
      expect(await index.count(B)).toBe(1);
      needsQuery(context);
      expect((await index.query(A, axis(3, 0), 10)).map((m) => m.id)).toEqual(['a3']);
      expect((await index.query(B, axis(3, 0), 10)).map((m) => m.id)).toEqual(['b1']);
    });

    it("removes every entry of a tenant and leaves the others'", async (context) => {
      await index.upsert(A, [
        { id: 'a1', documentId: 'd1', vector: axis(3, 0) },
        { id: 'a2', documentId: 'd2', vector: axis(5, 1) },
      ]);
      await index.upsert(B, [{ id: 'b1', documentId: 'd1', vector: axis(3, 0) }]);
      expect(await index.deleteTenant(A)).toBe(2);
      expect(await index.count(A)).toBe(0);
      expect(await index.count(B)).toBe(1);
      needsQuery(context);
      expect(await index.query(A, axis(3, 0), 10)).toEqual([]);
      expect(await index.query(A, axis(5, 1), 10)).toEqual([]);
      expect((await index.query(B, axis(3, 0), 10)).map((m) => m.id)).toEqual(['b1']);
    });

    it('keeps vectors of different lengths apart, and moves an id that changes length', async (context) => {
      await index.upsert(A, [
        { id: 'short', documentId: 'd1', vector: axis(3, 0) },
        { id: 'long', documentId: 'd1', vector: axis(6, 0) },
        { id: 'switching', documentId: 'd1', vector: axis(3, 1) },
      ]);
      await index.upsert(A, [{ id: 'switching', documentId: 'd1', vector: axis(6, 1) }]);
      expect(await index.count(A)).toBe(3);
      needsQuery(context);
      expect((await index.query(A, axis(3, 0), 10)).map((m) => m.id)).toEqual(['short']);
      expect((await index.query(A, axis(6, 1), 10)).map((m) => m.id)).toEqual(['switching', 'long']);
      expect(await index.query(A, axis(7, 0), 10)).toEqual([]);
    });

    it('refuses vectors and ids it cannot store', async () => {
      await expect(index.upsert(A, [{ id: 'e', documentId: 'd', vector: [] }])).rejects.toThrow(/1 to 4096 dimensions/);
      await expect(index.upsert(A, [{ id: 'n', documentId: 'd', vector: [1, Number.NaN] }])).rejects.toThrow(/finite/);
      await expect(index.upsert(A, [{ id: 'a/b', documentId: 'd', vector: [1, 0] }])).rejects.toThrow(/without/);
      await expect(index.upsert(A, [{ id: 'ok', documentId: '', vector: [1, 0] }])).rejects.toThrow(/documentId/);
      await expect(index.query(A, [], 3)).rejects.toThrow(/dimensions/);
      expect(await index.count(A)).toBe(0);
    });
  });
}
