import { describe, expect, it } from 'vitest';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { extractDocumentText, INGEST_LIMITS } from './extraction.ts';

async function pdf(build: (doc: PDFDocument) => Promise<void>): Promise<string> {
  const doc = await PDFDocument.create();
  await build(doc);
  return Buffer.from(await doc.save()).toString('base64');
}

describe('extractDocumentText for PDFs', () => {
  it('reads the text of every page, pages as paragraphs', async () => {
    const content = await pdf(async (doc) => {
      const font = await doc.embedFont(StandardFonts.TimesRoman);
      doc.addPage().drawText('First page: claims above 25000 dollars.', { x: 40, y: 700, size: 12, font });
      doc.addPage().drawText('Second page: the adjuster decides.', { x: 40, y: 700, size: 12, font });
    });
    expect(await extractDocumentText(content, 'application/pdf')).toBe('First page: claims above 25000 dollars.\n\nSecond page: the adjuster decides.');
  });

  it('says so when a PDF has no text layer (a scan)', async () => {
    const content = await pdf(async (doc) => {
      doc.addPage().drawRectangle({ x: 50, y: 50, width: 200, height: 300, color: rgb(0.2, 0.2, 0.2) });
    });
    await expect(extractDocumentText(content, 'application/pdf')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('no extractable text') });
  });

  it(`refuses more than ${INGEST_LIMITS.maxPdfPages} pages`, async () => {
    const content = await pdf(async (doc) => {
      for (let i = 0; i <= INGEST_LIMITS.maxPdfPages; i++) doc.addPage([100, 100]);
    });
    await expect(extractDocumentText(content, 'application/pdf')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining(`${INGEST_LIMITS.maxPdfPages + 1} pages`) });
  });

  it('refuses content that is not a base64 PDF, or a damaged one', async () => {
    await expect(extractDocumentText('%PDF-1.7 not base64!', 'application/pdf')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('base64') });
    await expect(extractDocumentText(Buffer.from('hello world').toString('base64'), 'application/pdf')).rejects.toMatchObject({ message: expect.stringContaining('not a PDF') });
    const whole = Buffer.from(await pdf(async (doc) => void doc.addPage()), 'base64');
    const damaged = whole.subarray(0, 40).toString('base64');
    await expect(extractDocumentText(damaged, 'application/pdf')).rejects.toMatchObject({ code: 'BAD_USER_INPUT', message: expect.stringContaining('could not be read') });
    const oversized = 'A'.repeat(Math.ceil((INGEST_LIMITS.maxPdfBytes / 3) * 4) + 8);
    await expect(extractDocumentText(oversized, 'application/pdf')).rejects.toMatchObject({ message: expect.stringContaining('larger than 20 MB') });
  });
});
