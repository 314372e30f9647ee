import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import { credentialTenantDigest } from '@switchyard/service-kit';
import { CredentialChanges } from './credential-changes.ts';

describe('CredentialChanges', () => {
  it('answers a new reader with the generation at once, then a waiting reader as soon as a change is recorded', async () => {
    const changes = new CredentialChanges(new SqliteStore({ filename: ':memory:' }));
    const first = await changes.after(null, null, 10_000);
    expect(first).toMatchObject({ generation: 0, changes: [], reset: true });
    const t0 = Date.now();
    const waiting = changes.after(first.generation, first.now, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await changes.record({ keyId: 'key-1' });
    const answer = await waiting;
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(answer).toMatchObject({ generation: 1, changes: [{ keyId: 'key-1' }], reset: false });
    // Nothing new: an empty answer after the wait.
    expect(await changes.after(answer.generation, answer.now, 100)).toMatchObject({ generation: 1, changes: [], reset: false });
  });

  it("wakes a reader on one replica for a change recorded on another, and reads back a clock slack so a late stamp is not missed", async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'credential-changes-')), 'tenants.db');
    const [a, b] = [new CredentialChanges(new SqliteStore({ filename: file })), new CredentialChanges(new SqliteStore({ filename: file }))];
    const start = await a!.after(null, null, 0);
    const waiting = a!.after(start.generation, start.now, 10_000);
    await b!.record({ tenantId: 'acme' });
    const answer = await waiting;
    // The tenant is named by its digest: nothing kept here names an erased tenant.
    expect(answer.changes).toEqual([{ tenantDigest: credentialTenantDigest('acme') }]);
    // A reader whose last read is a few seconds after the change's stamp (another replica's clock ran ahead) still gets it.
    await b!.record({ keyId: 'key-2' });
    const ahead = new Date(Date.now() + 5000).toISOString();
    expect((await a!.after(answer.generation, ahead, 0)).changes).toEqual(expect.arrayContaining([{ keyId: 'key-2' }]));
  });

  it('tells a reader that was away longer than changes are kept to forget everything', async () => {
    const changes = new CredentialChanges(new SqliteStore({ filename: ':memory:' }));
    await changes.record({ keyId: 'key-1' });
    const longAgo = new Date(Date.now() - 60 * 60_000).toISOString();
    expect(await changes.after(0, longAgo, 0)).toMatchObject({ generation: 1, changes: [], reset: true });
  });
});
