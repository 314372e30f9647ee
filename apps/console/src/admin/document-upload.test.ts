import { describe, expect, it } from 'vitest';
import { documentInput, mimeTypeOf } from './document-upload.ts';

describe('document upload', () => {
  it('sends a PDF base64-encoded and text formats as text, titled after the file', () => {
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0xff, 0x00]);
    expect(documentInput('Policy terms.pdf', '', pdf)).toEqual({ title: 'Policy terms', mimeType: 'application/pdf', content: Buffer.from(pdf).toString('base64') });
    expect(documentInput('notes.md', '', new TextEncoder().encode('# Claims\nüber'), 'Claim notes')).toEqual({ title: 'Claim notes', mimeType: 'text/markdown', content: '# Claims\nüber' });
    expect(mimeTypeOf('page.HTM', '')).toBe('text/html');
    expect(mimeTypeOf('data.bin', 'application/octet-stream')).toBe('text/plain');
  });

  it('encodes a large file without overflowing the call stack', () => {
    const big = new Uint8Array(300_000).map((_, i) => i % 256);
    expect(Buffer.from(documentInput('big.pdf', 'application/pdf', big).content, 'base64').equals(Buffer.from(big))).toBe(true);
  });
});
