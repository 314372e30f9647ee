import { describe, expect, it } from 'vitest';
import { SqliteStore } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { KnowledgeManager } from './knowledge-manager.ts';

const acme: TenantContext = { tenantId: 'acme', role: 'DEVELOPER', keyId: 'k1', subject: 's' };
const globex: TenantContext = { tenantId: 'globex', role: 'DEVELOPER', keyId: 'k2', subject: 's' };

describe('KnowledgeManager', () => {
  it('finds the relevant chunk, only in the calling tenant, and forgets deleted documents', async () => {
    const kb = new KnowledgeManager(new SqliteStore({ filename: ':memory:' }));
    const policy = await kb.ingest(acme, { title: 'Claims policy', content: 'Claims above 25000 dollars need adjuster approval.\n\nSmall claims are paid automatically.' });
    await kb.ingest(acme, { title: 'Holiday calendar', content: 'The office closes on public holidays and the last week of December.' });
    await kb.ingest(globex, { title: 'Globex secrets', content: 'Adjuster approval is never needed at Globex for claims.' });
    const hits = await kb.search(acme, 'Which claims need adjuster approval?');
    expect(hits[0]!.documentId).toBe(policy.id);
    expect(hits.every((h) => h.title !== 'Globex secrets')).toBe(true);
    await kb.delete(acme, policy.id);
    expect((await kb.search(acme, 'adjuster approval')).some((h) => h.documentId === policy.id)).toBe(false);
    await expect(kb.delete(globex, policy.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads HTML as text and refuses what it cannot read', async () => {
    const kb = new KnowledgeManager(new SqliteStore({ filename: ':memory:' }));
    await kb.ingest(acme, { title: 'Page', content: '<html><script>var x=1</script><p>Refund window is 30 days</p></html>', mimeType: 'text/html' });
    const [hit] = await kb.search(acme, 'refund window');
    expect(hit!.text).toContain('Refund window is 30 days');
    expect(hit!.text).not.toContain('var x');
    await expect(kb.ingest(acme, { title: 'x', content: 'y', mimeType: 'image/png' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(kb.search(acme, '  ')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
