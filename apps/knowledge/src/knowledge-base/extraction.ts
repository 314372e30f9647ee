import { BadUserInputError } from '@switchyard/contracts';
import { extractText as extractPdfText, getDocumentProxy } from 'unpdf';

export const SUPPORTED_MIME_TYPES = ['text/plain', 'text/markdown', 'text/html', 'application/pdf'] as const;
export type SupportedMimeType = (typeof SUPPORTED_MIME_TYPES)[number];

/** Limits on what one ingestDocument may carry; each refusal says which was passed. */
export const INGEST_LIMITS = {
  /** Characters of text, Markdown or HTML content. */
  maxContentChars: 5_000_000,
  /** Bytes of a PDF after base64 decoding. */
  maxPdfBytes: 20 * 1024 * 1024,
  maxPdfPages: 500,
} as const;

export function isSupportedMimeType(mimeType: string): mimeType is SupportedMimeType {
  return (SUPPORTED_MIME_TYPES as readonly string[]).includes(mimeType);
}

/**
 * A document's plain text, with headings kept as Markdown-style `#` lines and paragraphs separated
 * by blank lines, so the chunker can respect both. PDFs arrive base64-encoded; their pages are read
 * with pdf.js (through unpdf) and separated by blank lines.
 */
export async function extractDocumentText(content: string, mimeType: SupportedMimeType): Promise<string> {
  switch (mimeType) {
    case 'application/pdf':
      return extractPdf(content);
    case 'text/html':
      return htmlToText(content);
    case 'text/markdown':
    case 'text/plain':
      return content.replace(/\r\n?/g, '\n');
  }
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'" };

/** HTML without tags, scripts and styles; h1-h6 become `#` heading lines, block elements paragraph breaks. */
export function htmlToText(html: string): string {
  return html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style|noscript|template)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<h([1-6])[^>]*>([\s\S]*?)<\/h\1>/gi, (_m, level: string, inner: string) => `\n\n${'#'.repeat(Number(level))} ${inner.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim()}\n\n`)
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|section|article|blockquote|pre|table|ul|ol)>/gi, '\n\n')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#?\w+);/g, (match, name: string) => ENTITIES[name] ?? (name.startsWith('#') ? String.fromCodePoint(Number(name.slice(1))) : match))
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n');
}

async function extractPdf(content: string): Promise<string> {
  const base64 = content.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length === 0) {
    throw new BadUserInputError('input.content must be the PDF file base64-encoded for mimeType application/pdf.', { field: 'input.content' });
  }
  if (base64.length * 0.75 > INGEST_LIMITS.maxPdfBytes + 3) {
    throw new BadUserInputError(`The PDF is larger than ${INGEST_LIMITS.maxPdfBytes / 1024 / 1024} MB; split it into smaller files.`, { field: 'input.content' });
  }
  const bytes = new Uint8Array(Buffer.from(base64, 'base64'));
  if (Buffer.from(bytes.subarray(0, 1024)).indexOf('%PDF-') === -1) {
    throw new BadUserInputError('input.content is not a PDF file (no %PDF- header); send the file itself, base64-encoded.', { field: 'input.content' });
  }
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(bytes);
  } catch (error) {
    const name = (error as { name?: string }).name;
    if (name === 'PasswordException') {
      throw new BadUserInputError('The PDF is password-protected; remove the password and send it again.', { field: 'input.content' });
    }
    throw new BadUserInputError(`The PDF could not be read (${(error as Error).message}); check that the file is complete and not damaged.`, { field: 'input.content' });
  }
  try {
    if (pdf.numPages > INGEST_LIMITS.maxPdfPages) {
      throw new BadUserInputError(`The PDF has ${pdf.numPages} pages; at most ${INGEST_LIMITS.maxPdfPages} are accepted. Split it into smaller files.`, { field: 'input.content' });
    }
    const { text } = await extractPdfText(pdf, { mergePages: false });
    const pages = text.map((page) => page.trim()).filter(Boolean);
    if (pages.length === 0) {
      throw new BadUserInputError(
        'The PDF has no extractable text (it is probably scanned images); run it through OCR and ingest the text, or send a PDF with a text layer.',
        { field: 'input.content' },
      );
    }
    return pages.join('\n\n');
  } finally {
    await pdf.destroy();
  }
}
