import { describe, expect, it } from 'vitest';
import { chunkText } from './chunking.ts';
import { htmlToText } from './extraction.ts';

const words = (text: string) => text.split(/\s+/).filter(Boolean);

describe('chunkText', () => {
  it('never lets a chunk cross a heading, and starts every chunk with its heading', () => {
    const text = '# Guide\n\nIntro line.\n\n## Refunds\n\nRefunds take 30 days.\n\n## Shipping\n\nShipping is free above 50 euros.';
    expect(chunkText(text)).toEqual(['# Guide\nIntro line.', '## Refunds\nRefunds take 30 days.', '## Shipping\nShipping is free above 50 euros.']);
  });

  it('keeps a heading followed directly by a subheading, and a heading line inside a paragraph block', () => {
    expect(chunkText('# Policy\n## Scope\nApplies to everyone.\n\nStill in scope.')).toEqual(['# Policy\n## Scope\nApplies to everyone.\nStill in scope.']);
  });

  it('packs whole paragraphs up to the target and repeats the end of the previous chunk', () => {
    const paragraphs = Array.from({ length: 12 }, (_, i) => `Paragraph ${i} opens here. It closes with sentence ${i}.`);
    const chunks = chunkText(paragraphs.join('\n\n'), { targetChars: 200, overlapChars: 40 });
    expect(chunks.length).toBeGreaterThan(3);
    for (const [i, chunk] of chunks.entries()) {
      expect(chunk.length).toBeLessThanOrEqual(200 + 40 + 1);
      if (i > 0) {
        // The overlap is the previous chunk's last whole sentence.
        const previousLast = chunks[i - 1]!.split(/(?<=\.)\s+/).at(-1)!;
        expect(chunk.startsWith(previousLast)).toBe(true);
      }
    }
    for (const paragraph of paragraphs) expect(chunks.some((c) => c.includes(paragraph))).toBe(true);
  });

  it('splits a long paragraph at sentences and a sentence without punctuation at words, losing nothing', () => {
    const sentences = Array.from({ length: 30 }, (_, i) => `Sentence ${i} says something particular about item ${i}.`).join(' ');
    const run = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    const chunks = chunkText(`${sentences}\n\n${run}`, { targetChars: 300, overlapChars: 0 });
    expect(chunks.every((c) => c.length <= 300)).toBe(true);
    expect(chunks.flatMap(words)).toEqual(words(`${sentences} ${run}`));
  });

  it('does not overlap across sections, and returns nothing for blank text', () => {
    const text = `## A\n\n${'Alpha fact. '.repeat(30)}\n\n## B\n\nBeta fact.`;
    const chunks = chunkText(text, { targetChars: 200, overlapChars: 50 });
    expect(chunks.at(-1)).toBe('## B\nBeta fact.');
    expect(chunkText(' \n\n \n')).toEqual([]);
  });
});

describe('htmlToText', () => {
  it('turns headings into heading lines and blocks into paragraphs, dropping scripts and styles', () => {
    const html = '<html><head><style>p{color:red}</style></head><body><h2>Returns <b>policy</b></h2><p>Within&nbsp;30 days &amp; unused.</p><script>alert(1)</script><ul><li>One</li><li>Two</li></ul></body></html>';
    expect(chunkText(htmlToText(html))).toEqual(['## Returns policy\nWithin 30 days & unused.\nOne\nTwo']);
  });
});
