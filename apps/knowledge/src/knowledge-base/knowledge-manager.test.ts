import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { createLlmClient } from '@switchyard/llm';
import { startSimulator, type RunningSimulator } from '@switchyard/llm-simulator';
import { SqliteStore, SqliteVectorIndex } from '@switchyard/store';
import type { TenantContext } from '@switchyard/contracts';
import { ChunkEmbedder, EMBEDDING_BATCH_SIZE } from './chunk-embedder.ts';
import type { EmbeddingPurpose, EmbeddingUsage } from './embedding-meter.ts';
import { KnowledgeManager } from './knowledge-manager.ts';

const acme: TenantContext = { tenantId: 'acme', role: 'DEVELOPER', keyId: 'k1', subject: 's' };
const globex: TenantContext = { tenantId: 'globex', role: 'DEVELOPER', keyId: 'k2', subject: 's' };
const viewer: TenantContext = { tenantId: 'acme', role: 'VIEWER', keyId: 'k3', subject: 's' };

let simulator: RunningSimulator;
beforeAll(async () => {
  simulator = await startSimulator();
});
afterAll(async () => {
  await simulator.close();
});

let vectors: SqliteVectorIndex;
let metered: Array<EmbeddingPurpose & EmbeddingUsage>;
function manager(baseUrl = simulator.url): KnowledgeManager {
  vectors = new SqliteVectorIndex({ filename: ':memory:' });
  metered = [];
  const llm = createLlmClient({ provider: 'simulator', baseUrl, maxRetries: 0, timeoutMs: 5000 });
  const embedder = new ChunkEmbedder(llm, async (purpose, usage) => {
    metered.push({ ...purpose, ...usage });
  });
  return new KnowledgeManager(new SqliteStore({ filename: ':memory:' }), vectors, embedder);
}

async function pdfOf(pages: string[][]): Promise<string> {
  const pdf = await PDFDocument.create();
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  for (const lines of pages) {
    const page = pdf.addPage();
    lines.forEach((line, i) => page.drawText(line, { x: 50, y: 750 - i * 16, size: 11, font }));
  }
  return Buffer.from(await pdf.save()).toString('base64');
}

describe('KnowledgeManager', () => {
  let kb: KnowledgeManager;
  beforeEach(() => {
    kb = manager();
  });

  it('finds the relevant chunk, only in the calling tenant, and forgets deleted documents with their vectors', async () => {
    const policy = await kb.ingest(acme, { title: 'Claims policy', content: 'Claims above 25000 dollars need adjuster approval.\n\nSmall claims are paid automatically.' });
    await kb.ingest(acme, { title: 'Holiday calendar', content: 'The office closes on public holidays and the last week of December.' });
    await kb.ingest(globex, { title: 'Globex secrets', content: 'Adjuster approval is never needed at Globex for claims.' });
    expect(policy).toMatchObject({ chunks: 1, embeddingModel: 'text-embedding-3-small' });
    expect(await vectors.count('acme')).toBe(2);
    const hits = await kb.search(acme, 'Which claims need adjuster approval?');
    expect(hits[0]!.documentId).toBe(policy.id);
    expect(hits[0]!.score).toBe(1);
    expect(hits.every((h) => h.title !== 'Globex secrets')).toBe(true);

    await kb.delete(acme, policy.id);
    expect(await vectors.count('acme')).toBe(1);
    expect(vectors.vectorRows('acme')).toBe(1);
    expect((await kb.search(acme, 'adjuster approval')).some((h) => h.documentId === policy.id)).toBe(false);
    await expect(kb.delete(globex, policy.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(kb.delete(viewer, 'x')).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it("never shows one tenant another's chunks, even for their exact text", async () => {
    const secret = 'Project Bluebird launches on 12 May with a budget of 4.2 million euros.';
    await kb.ingest(acme, { title: 'Roadmap', content: secret });
    await kb.ingest(globex, { title: 'Canteen', content: 'Lunch is served from noon.' });
    const hits = await kb.search(globex, secret, 50);
    expect(hits.map((h) => h.title)).toEqual(['Canteen']);
    expect(JSON.stringify(hits)).not.toContain('Bluebird');
    expect(await kb.search({ ...globex, tenantId: 'initech' }, secret)).toEqual([]);
  });

  it('ranks by meaning where words differ, and by words where the model is unreachable', async () => {
    await kb.ingest(acme, { title: 'Bikes', content: 'A secure bicycle cellar with charging points for electric bikes.' });
    await kb.ingest(acme, { title: 'Coffee', content: 'The espresso machine is descaled on Fridays.' });
    // "bike"/"bicycles" share trigrams with the text but no whole word except "electric".
    const [top] = await kb.search(acme, 'where do bicycles charge');
    expect(top!.title).toBe('Bikes');

    const offline = new KnowledgeManager(new SqliteStore({ filename: ':memory:' }), new SqliteVectorIndex({ filename: ':memory:' }), new ChunkEmbedder(createLlmClient({ provider: 'simulator', baseUrl: 'http://127.0.0.1:9/v1', maxRetries: 0, timeoutMs: 2000 })));
    await expect(offline.ingest(acme, { title: 'x', content: 'text' })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(await offline.list(acme)).toEqual([]);
  });

  it('embeds chunks in batches and meters every call with its tokens', async () => {
    const paragraphs = Array.from({ length: EMBEDDING_BATCH_SIZE + 6 }, (_, i) => `## Section ${i}\nFact number ${i} is about topic ${i} and nothing else.`);
    const before = simulator.stats().embeddings;
    const doc = await kb.ingest(acme, { title: 'Many facts', content: paragraphs.join('\n\n'), mimeType: 'text/markdown' });
    expect(doc.chunks).toBe(EMBEDDING_BATCH_SIZE + 6);
    expect(simulator.stats().embeddings - before).toBe(2);
    expect(metered.map((m) => m.step)).toEqual(['knowledge-ingest', 'knowledge-ingest']);
    expect(metered.every((m) => m.tenantId === 'acme' && m.inputTokens > 0 && m.model === 'text-embedding-3-small')).toBe(true);
    await kb.search(acme, 'fact number 7', 3, { workflowId: 'wf-1' });
    expect(metered.at(-1)).toMatchObject({ step: 'knowledge-search', workflowId: 'wf-1' });
    const [hit] = await kb.search(acme, 'fact number 7', 1);
    expect(hit!.text).toContain('Fact number 7 is');
  });

  it('reads a PDF end to end and finds text on its second page', async () => {
    const content = await pdfOf([
      ['Warehouse handbook', 'Safety shoes are worn on the warehouse floor.'],
      ['Forklifts', 'Only certified staff drive forklifts, at walking speed.'],
    ]);
    const doc = await kb.ingest(acme, { title: 'Handbook', content, mimeType: 'application/pdf' });
    expect(doc.mimeType).toBe('application/pdf');
    const [hit] = await kb.search(acme, 'who may drive a forklift', 1);
    expect(hit).toMatchObject({ documentId: doc.id, title: 'Handbook' });
    expect(hit!.text).toContain('Only certified staff drive forklifts');
  });

  it('refuses what it cannot read with errors that say what to do', async () => {
    await kb.ingest(acme, { title: 'Page', content: '<html><script>var x=1</script><p>Refund window is 30 days</p></html>', mimeType: 'text/html' });
    const [hit] = await kb.search(acme, 'refund window');
    expect(hit!.text).toContain('Refund window is 30 days');
    expect(hit!.text).not.toContain('var x');
    await expect(kb.ingest(acme, { title: 'x', content: 'y', mimeType: 'image/png' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('application/pdf') });
    await expect(kb.ingest(acme, { title: 'x', content: ' \n\n ' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('no text') });
    await expect(kb.ingest(acme, { title: ' ', content: 'y' })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(kb.ingest(acme, { title: 'x', content: 'y'.repeat(5_000_001) })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('split') });
    const tooMany = Array.from({ length: 2001 }, (_, i) => `# H${i}\nline ${i}`).join('\n\n');
    await expect(kb.ingest(acme, { title: 'x', content: tooMany })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('2001 chunks') });
    await expect(kb.search(acme, '  ')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(kb.search(acme, 'word '.repeat(500))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    expect((await kb.list(acme)).map((d) => d.title)).toEqual(['Page']);
  });
});
