import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadUserInputError, ConflictError, PreconditionFailedError } from '@switchyard/contracts';
import { MAX_BATCH_OPERATIONS, type BaseDocument, type Collection, type DocumentStore, type QueryOptions, type Stored } from './document-store.ts';

interface Task extends BaseDocument {
  title: string;
  rank?: number | null;
  group?: string;
  done?: boolean;
  owner?: { name: string } | null;
  tag?: string | null;
}

interface Counter extends BaseDocument {
  kind: string;
  hits: number;
}

/** A fresh, empty store for one test, and how to release it afterwards. */
export interface StoreFixture {
  store: DocumentStore;
  cleanup(): Promise<void>;
}

const T1 = 'tenant-one';
const T2 = 'tenant-two';

function ids<T extends BaseDocument>(items: Stored<T>[]): string[] {
  return items.map((item) => item.doc.id);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** Follow endCursor until the last page, returning every page's ids. */
async function allPages<T extends BaseDocument>(
  fetch: (options: QueryOptions) => Promise<{ items: Stored<T>[]; endCursor: string | null; hasNextPage: boolean }>,
  options: QueryOptions,
): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  for (;;) {
    const page = await fetch({ ...options, ...(after === undefined ? {} : { after }) });
    pages.push(ids(page.items));
    if (!page.hasNextPage) return pages;
    expect(page.endCursor).toEqual(expect.any(String));
    after = page.endCursor!;
    if (pages.length > 100) throw new Error('pagination does not terminate');
  }
}

/**
 * The behaviour every DocumentStore adapter must share. Each test gets a fresh store from `makeStore`
 * and releases it with `cleanup`.
 */
export function describeDocumentStoreContract(name: string, makeStore: () => Promise<StoreFixture>): void {
  describe(`DocumentStore contract: ${name}`, () => {
    let fixture: StoreFixture;
    let store: DocumentStore;
    let tasks: Collection<Task>;

    beforeEach(async () => {
      fixture = await makeStore();
      store = fixture.store;
      tasks = store.collection<Task>('tasks', { indexes: ['rank', 'group', 'done', 'owner.name'], compositeIndexes: [['group', 'rank']] });
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    describe('CRUD', () => {
      it('creates, reads, replaces, upserts and deletes', async () => {
        const created = await tasks.create({ id: 'a', tenantId: T1, title: 'first', done: false });
        expect(created.doc).toEqual({ id: 'a', tenantId: T1, title: 'first', done: false });
        expect(created.etag).toEqual(expect.any(String));

        const read = await tasks.get(T1, 'a');
        expect(read).toEqual(created);

        const replaced = await tasks.replace({ id: 'a', tenantId: T1, title: 'second' });
        expect(replaced.doc).toEqual({ id: 'a', tenantId: T1, title: 'second' });
        expect(await tasks.get(T1, 'a')).toEqual(replaced);

        const inserted = await tasks.upsert({ id: 'b', tenantId: T1, title: 'new' });
        expect(await tasks.get(T1, 'b')).toEqual(inserted);
        const overwritten = await tasks.upsert({ id: 'b', tenantId: T1, title: 'newer' });
        expect((await tasks.get(T1, 'b'))?.doc.title).toBe('newer');
        expect(overwritten.etag).not.toBe(inserted.etag);

        expect(await tasks.delete(T1, 'a')).toBe(true);
        expect(await tasks.get(T1, 'a')).toBeNull();
        expect(await tasks.delete(T1, 'a')).toBe(false);
      });

      it('returns null for a missing document and exposes the collection name', async () => {
        expect(await tasks.get(T1, 'missing')).toBeNull();
        expect(tasks.name).toBe('tasks');
      });

      it('finds nothing under an id no document can have (empty, blank, /, ?, #, a lone surrogate), and deletes nothing', async () => {
        for (const id of ['', ' ', '\t\n', 'a/b', '../x', 'what?', '#1', 'back\\slash', '\ud800', 'x'.repeat(300)]) {
          expect(await tasks.get(T1, id), JSON.stringify(id)).toBeNull();
          expect(await tasks.delete(T1, id), JSON.stringify(id)).toBe(false);
        }
      });

      it('returns plain documents without adapter bookkeeping', async () => {
        await tasks.create({ id: 'a', tenantId: T1, title: 't', owner: { name: 'ann' } });
        const read = await tasks.get(T1, 'a');
        expect(Object.keys(read!.doc).sort()).toEqual(['id', 'owner', 'tenantId', 'title']);
        const page = await tasks.query(T1);
        expect(page.items[0]).toEqual(read);
      });

      it('rejects create of an existing id with ConflictError and keeps the original', async () => {
        await tasks.create({ id: 'a', tenantId: T1, title: 'original' });
        await expect(tasks.create({ id: 'a', tenantId: T1, title: 'dup' })).rejects.toBeInstanceOf(ConflictError);
        expect((await tasks.get(T1, 'a'))?.doc.title).toBe('original');
      });

      it('rejects replace of a missing document with PreconditionFailedError', async () => {
        await expect(tasks.replace({ id: 'nope', tenantId: T1, title: 'x' })).rejects.toBeInstanceOf(PreconditionFailedError);
        await expect(tasks.replace({ id: 'nope', tenantId: T1, title: 'x' }, { ifMatch: 'whatever' })).rejects.toBeInstanceOf(
          PreconditionFailedError,
        );
        expect(await tasks.get(T1, 'nope')).toBeNull();
      });
    });

    describe('batch', () => {
      it('creates and upserts in order in one write, and returns what each stored', async () => {
        await tasks.create({ id: 'kept', tenantId: T1, title: 'old' });
        const stored = await tasks.batch(T1, [
          { kind: 'create', doc: { id: 'b1', tenantId: T1, title: 'one', rank: 1 } },
          { kind: 'create', doc: { id: 'b2', tenantId: T1, title: 'two', rank: 2 } },
          { kind: 'upsert', doc: { id: 'kept', tenantId: T1, title: 'new' } },
        ]);
        expect(stored.map((s) => s.doc)).toEqual([
          { id: 'b1', tenantId: T1, title: 'one', rank: 1 },
          { id: 'b2', tenantId: T1, title: 'two', rank: 2 },
          { id: 'kept', tenantId: T1, title: 'new' },
        ]);
        for (const item of stored) expect(await tasks.get(T1, item.doc.id)).toEqual(item);
        expect(await tasks.batch(T1, [])).toEqual([]);
      });

      it('writes nothing when one create meets an existing id, and keeps what was there', async () => {
        const original = await tasks.create({ id: 'taken', tenantId: T1, title: 'original' });
        await tasks.create({ id: 'overwritten', tenantId: T1, title: 'before' });
        const before = await tasks.get(T1, 'overwritten');
        await expect(
          tasks.batch(T1, [
            { kind: 'create', doc: { id: 'fresh', tenantId: T1, title: 'x' } },
            { kind: 'upsert', doc: { id: 'overwritten', tenantId: T1, title: 'after' } },
            { kind: 'create', doc: { id: 'taken', tenantId: T1, title: 'dup' } },
            { kind: 'create', doc: { id: 'later', tenantId: T1, title: 'y' } },
          ]),
        ).rejects.toBeInstanceOf(ConflictError);
        expect(await tasks.get(T1, 'fresh')).toBeNull();
        expect(await tasks.get(T1, 'later')).toBeNull();
        expect(await tasks.get(T1, 'taken')).toEqual(original);
        expect(await tasks.get(T1, 'overwritten')).toEqual(before);
        expect(await tasks.count(T1)).toBe(2);
      });

      it('refuses a document of another tenant and more operations than one batch holds, writing nothing', async () => {
        await expect(
          tasks.batch(T1, [
            { kind: 'create', doc: { id: 'mine', tenantId: T1, title: 'x' } },
            { kind: 'create', doc: { id: 'theirs', tenantId: T2, title: 'x' } },
          ]),
        ).rejects.toThrow(/one tenant's documents/);
        const tooMany = Array.from({ length: MAX_BATCH_OPERATIONS + 1 }, (_, i) => ({ kind: 'create' as const, doc: { id: `n${i}`, tenantId: T1, title: 'x' } }));
        await expect(tasks.batch(T1, tooMany)).rejects.toThrow(/at most 100 operations/);
        expect(await tasks.count(T1)).toBe(0);
        expect(await tasks.count(T2)).toBe(0);
        const full = await tasks.batch(T1, tooMany.slice(1));
        expect(full).toHaveLength(MAX_BATCH_OPERATIONS);
        expect(await tasks.count(T1)).toBe(MAX_BATCH_OPERATIONS);
      });
    });

    describe('optimistic concurrency', () => {
      it('changes the etag on every write', async () => {
        const etags = [
          (await tasks.create({ id: 'a', tenantId: T1, title: '1' })).etag,
          (await tasks.replace({ id: 'a', tenantId: T1, title: '2' })).etag,
          (await tasks.upsert({ id: 'a', tenantId: T1, title: '3' })).etag,
          (await tasks.replace({ id: 'a', tenantId: T1, title: '3' })).etag,
        ];
        await tasks.increment(T1, 'a', 'rank', 1);
        etags.push((await tasks.get(T1, 'a'))!.etag);
        expect(new Set(etags).size).toBe(etags.length);
      });

      it('replace with ifMatch succeeds on the current etag and fails on a stale one', async () => {
        const v1 = await tasks.create({ id: 'a', tenantId: T1, title: 'v1' });
        const v2 = await tasks.replace({ id: 'a', tenantId: T1, title: 'v2' }, { ifMatch: v1.etag });
        await expect(tasks.replace({ id: 'a', tenantId: T1, title: 'lost' }, { ifMatch: v1.etag })).rejects.toBeInstanceOf(
          PreconditionFailedError,
        );
        expect(await tasks.get(T1, 'a')).toEqual(v2);
      });

      it('upsert with ifMatch succeeds on the current etag, fails on a stale one or a missing document', async () => {
        const v1 = await tasks.create({ id: 'a', tenantId: T1, title: 'v1' });
        const v2 = await tasks.upsert({ id: 'a', tenantId: T1, title: 'v2' }, { ifMatch: v1.etag });
        expect(v2.doc.title).toBe('v2');
        await expect(tasks.upsert({ id: 'a', tenantId: T1, title: 'lost' }, { ifMatch: v1.etag })).rejects.toBeInstanceOf(
          PreconditionFailedError,
        );
        await expect(tasks.upsert({ id: 'ghost', tenantId: T1, title: 'x' }, { ifMatch: v1.etag })).rejects.toBeInstanceOf(
          PreconditionFailedError,
        );
        expect(await tasks.get(T1, 'a')).toEqual(v2);
        expect(await tasks.get(T1, 'ghost')).toBeNull();
      });

      it('delete with ifMatch fails on a stale etag, succeeds on the current one, and is false when absent', async () => {
        const v1 = await tasks.create({ id: 'a', tenantId: T1, title: 'v1' });
        const v2 = await tasks.replace({ id: 'a', tenantId: T1, title: 'v2' });
        await expect(tasks.delete(T1, 'a', { ifMatch: v1.etag })).rejects.toBeInstanceOf(PreconditionFailedError);
        expect(await tasks.get(T1, 'a')).toEqual(v2);
        expect(await tasks.delete(T1, 'a', { ifMatch: v2.etag })).toBe(true);
        expect(await tasks.delete(T1, 'a', { ifMatch: v2.etag })).toBe(false);
      });

      it('lets exactly one of two writers holding the same etag win', async () => {
        const v1 = await tasks.create({ id: 'a', tenantId: T1, title: 'v1' });
        const results = await Promise.allSettled([
          tasks.replace({ id: 'a', tenantId: T1, title: 'x' }, { ifMatch: v1.etag }),
          tasks.replace({ id: 'a', tenantId: T1, title: 'y' }, { ifMatch: v1.etag }),
        ]);
        expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
        const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        expect(rejected.reason).toBeInstanceOf(PreconditionFailedError);
      });
    });

    describe('tenant isolation', () => {
      beforeEach(async () => {
        await tasks.create({ id: 'same', tenantId: T1, title: 'one', group: 'g' });
        await tasks.create({ id: 'same', tenantId: T2, title: 'two', group: 'g' });
        await tasks.create({ id: 'only-one', tenantId: T1, title: 'one-b', group: 'g' });
      });

      it('keeps the same id in two tenants as separate documents', async () => {
        expect((await tasks.get(T1, 'same'))?.doc.title).toBe('one');
        expect((await tasks.get(T2, 'same'))?.doc.title).toBe('two');
        expect(await tasks.get(T2, 'only-one')).toBeNull();

        await tasks.replace({ id: 'same', tenantId: T1, title: 'one!' });
        expect((await tasks.get(T2, 'same'))?.doc.title).toBe('two');
        expect(await tasks.delete(T2, 'same')).toBe(true);
        expect((await tasks.get(T1, 'same'))?.doc.title).toBe('one!');
      });

      it('never crosses tenants in query and count', async () => {
        expect(ids((await tasks.query(T1)).items)).toEqual(['only-one', 'same']);
        expect((await tasks.query(T2, { where: { group: 'g' } })).items.map((i) => i.doc.title)).toEqual(['two']);
        expect(await tasks.count(T1)).toBe(2);
        expect(await tasks.count(T2, { group: 'g' })).toBe(1);
        expect(await tasks.count('tenant-none')).toBe(0);
        expect((await tasks.query('tenant-none')).items).toEqual([]);
      });

      it('increments per tenant', async () => {
        await tasks.increment(T1, 'same', 'rank', 5);
        expect((await tasks.get(T1, 'same'))?.doc.rank).toBe(5);
        expect((await tasks.get(T2, 'same'))?.doc.rank).toBeUndefined();
      });

      it('deleteTenant on a collection removes only that tenant', async () => {
        expect(await tasks.deleteTenant(T1)).toBe(2);
        expect(await tasks.count(T1)).toBe(0);
        expect(await tasks.count(T2)).toBe(1);
        expect(await tasks.deleteTenant(T1)).toBe(0);
      });
    });

    describe('query filters', () => {
      beforeEach(async () => {
        const docs: Task[] = [
          { id: 'a', tenantId: T1, title: 'apple', rank: 1, group: 'x', done: true, owner: { name: 'ann' }, tag: 'red' },
          { id: 'b', tenantId: T1, title: 'banana', rank: 2, group: 'x', done: false, owner: { name: 'bob' }, tag: null },
          { id: 'c', tenantId: T1, title: 'cherry', rank: 3, group: 'y', done: true, owner: null },
          { id: 'd', tenantId: T1, title: 'date', rank: 4, group: 'y', done: false },
          { id: 'e', tenantId: T1, title: 'elder', rank: 5, group: 'z', owner: { name: 'ann' }, tag: 'blue' },
          { id: 'f', tenantId: T2, title: 'fig', rank: 1, group: 'x', done: true, owner: { name: 'ann' }, tag: 'red' },
        ];
        for (const doc of docs) await tasks.create(doc);
      });

      const cases: [string, NonNullable<QueryOptions['where']>, string[]][] = [
        ['scalar equality', { group: 'x' }, ['a', 'b']],
        ['eq', { group: { eq: 'y' } }, ['c', 'd']],
        ['numeric equality', { rank: 3 }, ['c']],
        ['ne (includes documents missing the field)', { group: { ne: 'x' } }, ['c', 'd', 'e']],
        ['ne on a field some documents lack', { tag: { ne: 'red' } }, ['b', 'c', 'd', 'e']],
        ['lt', { rank: { lt: 3 } }, ['a', 'b']],
        ['lte', { rank: { lte: 3 } }, ['a', 'b', 'c']],
        ['gt', { rank: { gt: 3 } }, ['d', 'e']],
        ['gte', { rank: { gte: 3 } }, ['c', 'd', 'e']],
        ['string gt', { title: { gt: 'cherry' } }, ['d', 'e']],
        ['in', { group: { in: ['x', 'z'] } }, ['a', 'b', 'e']],
        ['in with numbers', { rank: { in: [1, 5, 9] } }, ['a', 'e']],
        ['in with null', { tag: { in: ['blue', null] } }, ['b', 'c', 'd', 'e']],
        ['empty in', { rank: { in: [] } }, []],
        ['boolean true', { done: true }, ['a', 'c']],
        ['boolean false', { done: { eq: false } }, ['b', 'd']],
        ['boolean ne (includes missing)', { done: { ne: true } }, ['b', 'd', 'e']],
        ['null means missing or null', { tag: null }, ['b', 'c', 'd']],
        ['ne null means present and not null', { tag: { ne: null } }, ['a', 'e']],
        ['dotted path', { 'owner.name': 'ann' }, ['a', 'e']],
        ['dotted path null (parent null or missing)', { 'owner.name': null }, ['c', 'd']],
        ['several conditions all hold', { group: 'x', done: false }, ['b']],
        ['range and equality', { rank: { gt: 1 }, 'owner.name': 'ann' }, ['e']],
      ];
      for (const [label, where, expected] of cases) {
        it(label, async () => {
          expect(ids((await tasks.query(T1, { where })).items)).toEqual(expected);
          expect(await tasks.count(T1, where)).toBe(expected.length);
        });
      }

      it('does not treat booleans as the numbers 1 and 0', async () => {
        await tasks.create({ id: 'n', tenantId: T1, title: 'numeric', done: 1 as unknown as boolean, rank: true as unknown as number });
        expect(ids((await tasks.query(T1, { where: { done: true } })).items)).toEqual(['a', 'c']);
        expect(ids((await tasks.query(T1, { where: { rank: 1 } })).items)).toEqual(['a']);
        expect(ids((await tasks.query(T1, { where: { done: 1 } })).items)).toEqual(['n']);
      });

      it('rejects field names that are not plain dotted identifiers', async () => {
        await expect(tasks.query(T1, { where: { "x') OR 1=1 --": 1 } })).rejects.toThrow(/Invalid field path/);
      });
    });

    describe('ordering and pagination', () => {
      it('orders by id ascending by default', async () => {
        for (const id of ['m', 'c', 'x', 'a']) await tasks.create({ id, tenantId: T1, title: id });
        expect(ids((await tasks.query(T1)).items)).toEqual(['a', 'c', 'm', 'x']);
      });

      it('orders asc and desc with ties broken by id in the same direction', async () => {
        const docs: [string, number][] = [['a', 2], ['b', 1], ['c', 2], ['d', 3], ['e', 1]];
        for (const [id, rank] of docs) await tasks.create({ id, tenantId: T1, title: id, rank });
        expect(ids((await tasks.query(T1, { orderBy: [{ field: 'rank' }] })).items)).toEqual(['b', 'e', 'a', 'c', 'd']);
        expect(ids((await tasks.query(T1, { orderBy: [{ field: 'rank', direction: 'asc' }] })).items)).toEqual(['b', 'e', 'a', 'c', 'd']);
        expect(ids((await tasks.query(T1, { orderBy: [{ field: 'rank', direction: 'desc' }] })).items)).toEqual(['d', 'c', 'a', 'e', 'b']);
      });

      it('orders by several fields', async () => {
        const docs: [string, string, number][] = [['a', 'y', 1], ['b', 'x', 2], ['c', 'y', 0], ['d', 'x', 2], ['e', 'x', 1]];
        for (const [id, group, rank] of docs) await tasks.create({ id, tenantId: T1, title: id, group, rank });
        const orderBy = [{ field: 'group' }, { field: 'rank' }];
        expect(ids((await tasks.query(T1, { orderBy })).items)).toEqual(['e', 'b', 'd', 'c', 'a']);
        expect(await allPages((o) => tasks.query(T1, o), { orderBy, first: 2 })).toEqual([['e', 'b'], ['d', 'c'], ['a']]);
        const desc = orderBy.map((o) => ({ ...o, direction: 'desc' as const }));
        expect(await allPages((o) => tasks.query(T1, o), { orderBy: desc, first: 2 })).toEqual([['a', 'c'], ['d', 'b'], ['e']]);
      });

      describe('with 25 documents', () => {
        beforeEach(async () => {
          // rank repeats (0..4), so pages must break ties by id to avoid gaps and duplicates.
          for (let i = 0; i < 25; i++) {
            await tasks.create({ id: `t${pad(i)}`, tenantId: T1, title: `task ${i}`, rank: i % 5, done: i % 2 === 0 });
          }
          await tasks.create({ id: 't99', tenantId: T2, title: 'other tenant', rank: 0 });
        });

        const expectedOrder = (desc: boolean) => {
          const all = Array.from({ length: 25 }, (_, i) => ({ id: `t${pad(i)}`, rank: i % 5 }));
          all.sort((a, b) => a.rank - b.rank || (a.id < b.id ? -1 : 1));
          const order = all.map((d) => d.id);
          return desc ? order.reverse() : order;
        };

        for (const direction of ['asc', 'desc'] as const) {
          it(`pages through in 7s by rank ${direction} without gaps or duplicates`, async () => {
            const pages = await allPages((o) => tasks.query(T1, o), { orderBy: [{ field: 'rank', direction }], first: 7 });
            expect(pages.map((p) => p.length)).toEqual([7, 7, 7, 4]);
            expect(pages.flat()).toEqual(expectedOrder(direction === 'desc'));
          });
        }

        it('pages through in id order and reports hasNextPage and endCursor', async () => {
          const first = await tasks.query(T1, { first: 7 });
          expect(first.hasNextPage).toBe(true);
          expect(ids(first.items)).toEqual(['t00', 't01', 't02', 't03', 't04', 't05', 't06']);
          const pages = await allPages((o) => tasks.query(T1, o), { first: 7 });
          expect(pages.flat()).toEqual(Array.from({ length: 25 }, (_, i) => `t${pad(i)}`));
          const last = await tasks.query(T1, { first: 7, after: (await tasks.query(T1, { first: 21 })).endCursor! });
          expect(ids(last.items)).toEqual(['t21', 't22', 't23', 't24']);
          expect(last.hasNextPage).toBe(false);
          const exact = await tasks.query(T1, { first: 25 });
          expect(exact.hasNextPage).toBe(false);
          expect(exact.endCursor).toEqual(expect.any(String));
          expect(await tasks.query(T1, { after: exact.endCursor! })).toEqual({ items: [], endCursor: null, hasNextPage: false });
        });

        it('pages through a filtered query', async () => {
          const pages = await allPages((o) => tasks.query(T1, o), {
            where: { done: true },
            orderBy: [{ field: 'rank', direction: 'desc' }],
            first: 4,
          });
          const expected = expectedOrder(true).filter((id) => Number(id.slice(1)) % 2 === 0);
          expect(pages.flat()).toEqual(expected);
          expect(pages.map((p) => p.length)).toEqual([4, 4, 4, 1]);
        });

        it('defaults to pages of 50 and caps first', async () => {
          const page = await tasks.query(T1);
          expect(page.items).toHaveLength(25);
          expect(page.hasNextPage).toBe(false);
          expect((await tasks.query(T1, { first: 5000 })).items).toHaveLength(25);
          await expect(tasks.query(T1, { first: 0 })).rejects.toBeInstanceOf(BadUserInputError);
        });

        it('rejects a malformed cursor', async () => {
          await expect(tasks.query(T1, { after: 'not-a-cursor' })).rejects.toBeInstanceOf(BadUserInputError);
          const idCursor = (await tasks.query(T1, { first: 1 })).endCursor!;
          await expect(tasks.query(T1, { after: idCursor, orderBy: [{ field: 'rank' }] })).rejects.toBeInstanceOf(BadUserInputError);
        });
      });

      it('sorts null before values ascending and after them descending, across pages', async () => {
        const docs: [string, number | null][] = [['a', 2], ['b', null], ['c', 1], ['d', null], ['e', 2], ['f', 0]];
        for (const [id, rank] of docs) await tasks.create({ id, tenantId: T1, title: id, rank });
        const asc = await allPages((o) => tasks.query(T1, o), { orderBy: [{ field: 'rank' }], first: 2 });
        expect(asc.flat()).toEqual(['b', 'd', 'f', 'c', 'a', 'e']);
        const desc = await allPages((o) => tasks.query(T1, o), { orderBy: [{ field: 'rank', direction: 'desc' }], first: 2 });
        expect(desc.flat()).toEqual(['e', 'a', 'c', 'f', 'd', 'b']);
      });

      it('orders by a boolean field', async () => {
        const docs: [string, boolean][] = [['a', true], ['b', false], ['c', true], ['d', false]];
        for (const [id, done] of docs) await tasks.create({ id, tenantId: T1, title: id, done });
        const pages = await allPages((o) => tasks.query(T1, o), { orderBy: [{ field: 'done' }], first: 1 });
        expect(pages.flat()).toEqual(['b', 'd', 'a', 'c']);
      });
    });

    describe('queryAllTenants', () => {
      it('returns documents of every tenant, paging across repeated ids', async () => {
        for (let i = 0; i < 4; i++) {
          await tasks.create({ id: `id${i}`, tenantId: T1, title: 'one', rank: i });
          await tasks.create({ id: `id${i}`, tenantId: T2, title: 'two', rank: i });
        }
        await tasks.create({ id: 'x', tenantId: 'tenant-three', title: 'three', rank: 9, done: true });

        const all = await tasks.queryAllTenants();
        expect(all.items).toHaveLength(9);
        expect(new Set(all.items.map((i) => i.doc.tenantId))).toEqual(new Set([T1, T2, 'tenant-three']));

        const seen: string[] = [];
        let after: string | undefined;
        do {
          const page = await tasks.queryAllTenants({ first: 2, orderBy: [{ field: 'rank' }], ...(after ? { after } : {}) });
          seen.push(...page.items.map((i) => `${i.doc.tenantId}/${i.doc.id}`));
          after = page.hasNextPage ? page.endCursor! : undefined;
        } while (after);
        expect(seen).toHaveLength(9);
        expect(new Set(seen).size).toBe(9);
        expect(seen.at(-1)).toBe('tenant-three/x');

        const filtered = await tasks.queryAllTenants({ where: { done: true } });
        expect(filtered.items.map((i) => i.doc.tenantId)).toEqual(['tenant-three']);
      });
    });

    describe('increment', () => {
      it('creates an absent document from initial fields', async () => {
        const counters = store.collection<Counter>('counters');
        expect(await counters.increment(T1, 'c1', 'hits', 3, { kind: 'page', hits: 10 })).toBe(13);
        expect((await counters.get(T1, 'c1'))?.doc).toEqual({ id: 'c1', tenantId: T1, kind: 'page', hits: 13 });
        expect(await counters.increment(T1, 'c1', 'hits', -4)).toBe(9);
        expect(await counters.increment(T1, 'c2', 'hits', 1)).toBe(1);
        expect((await counters.get(T1, 'c2'))?.doc).toEqual({ id: 'c2', tenantId: T1, hits: 1 });
      });

      it('adds to a field a document does not have yet, including dotted paths', async () => {
        await tasks.create({ id: 'a', tenantId: T1, title: 'a' });
        expect(await tasks.increment(T1, 'a', 'rank', 2)).toBe(2);
        expect(await tasks.increment(T1, 'a', 'stats.views', 1)).toBe(1);
        expect(await tasks.increment(T1, 'a', 'stats.views', 1)).toBe(2);
        expect((await tasks.get(T1, 'a'))?.doc).toEqual({ id: 'a', tenantId: T1, title: 'a', rank: 2, stats: { views: 2 } });
      });

      it('is exact under 50 concurrent callers', async () => {
        const counters = store.collection<Counter>('counters');
        await counters.create({ id: 'hot', tenantId: T1, kind: 'hot', hits: 100 });
        const results = await Promise.all(Array.from({ length: 50 }, () => counters.increment(T1, 'hot', 'hits', 1)));
        expect((await counters.get(T1, 'hot'))?.doc.hits).toBe(150);
        expect(new Set(results).size).toBe(50);
        expect(Math.max(...results)).toBe(150);
      });

      it('is exact under concurrent callers racing to create the document', async () => {
        const counters = store.collection<Counter>('counters');
        await Promise.all(Array.from({ length: 20 }, () => counters.increment(T1, 'fresh', 'hits', 1, { kind: 'fresh', hits: 0 })));
        expect((await counters.get(T1, 'fresh'))?.doc).toEqual({ id: 'fresh', tenantId: T1, kind: 'fresh', hits: 20 });
      });
    });

    describe('DocumentStore.deleteTenant', () => {
      it('deletes one tenant across every collection', async () => {
        const counters = store.collection<Counter>('counters');
        await tasks.create({ id: 'a', tenantId: T1, title: 'a' });
        await tasks.create({ id: 'b', tenantId: T1, title: 'b' });
        await tasks.create({ id: 'a', tenantId: T2, title: 'a' });
        await counters.increment(T1, 'c', 'hits', 1);
        await counters.increment(T2, 'c', 'hits', 1);

        expect(await store.deleteTenant(T1)).toBe(3);
        expect(await tasks.count(T1)).toBe(0);
        expect(await counters.get(T1, 'c')).toBeNull();
        expect(await tasks.count(T2)).toBe(1);
        expect((await counters.get(T2, 'c'))?.doc.hits).toBe(1);
        expect(await store.deleteTenant(T1)).toBe(0);
      });

      it('exports one tenant across every collection, and nothing of another', async () => {
        const counters = store.collection<Counter>('counters');
        await tasks.create({ id: 'a', tenantId: T1, title: 'mine' });
        await tasks.create({ id: 'a', tenantId: T2, title: 'theirs' });
        await counters.increment(T1, 'c', 'hits', 2);
        const exported = await store.exportTenant(T1);
        expect(Object.keys(exported).sort()).toEqual(['counters', 'tasks']);
        expect(exported.tasks).toEqual([{ id: 'a', tenantId: T1, title: 'mine' }]);
        expect(exported.counters).toEqual([expect.objectContaining({ id: 'c', tenantId: T1, hits: 2 })]);
        expect(JSON.stringify(exported)).not.toContain('theirs');
        expect(await store.exportTenant('tenant-none')).toEqual({});
      });
    });
  });
}
