import { describe, expect, it } from 'vitest';
import { mcpResultText } from './mcp-result-text.ts';

describe('mcpResultText', () => {
  it('joins text blocks and describes images, audio and resources instead of dumping them', () => {
    const png = Buffer.alloc(3000).toString('base64');
    expect(
      mcpResultText({
        content: [
          { type: 'text', text: 'first' },
          { type: 'image', data: png, mimeType: 'image/png' },
          { type: 'audio', data: Buffer.alloc(10).toString('base64'), mimeType: 'audio/wav' },
          { type: 'resource', resource: { uri: 'file:///a.bin', blob: Buffer.alloc(5).toString('base64') } },
          { type: 'resource', resource: { uri: 'file:///b.txt', mimeType: 'text/markdown', text: 'héllo' } },
          { type: 'resource_link', uri: 'https://example.com/r', name: 'r' },
          { type: 'text', text: 'last' },
        ],
      }),
    ).toBe(
      'first\n\n[image: image/png, 2.9 KB]\n\n[audio: audio/wav, 10 bytes]\n\n[resource: file:///a.bin, binary, 5 bytes]\n\n[resource: file:///b.txt, text/markdown, 6 bytes]\n\n[resource link: https://example.com/r "r"]\n\nlast',
    );
    expect(mcpResultText({ content: [{ type: 'image', data: png, mimeType: 'image/png' }] })).not.toContain(png.slice(0, 20));
  });

  it('uses structuredContent when the server sent no text, and says nothing for an empty result', () => {
    expect(mcpResultText({ content: [], structuredContent: { total: 3 } })).toBe('{"total":3}');
    expect(mcpResultText({ content: [{ type: 'text', text: 'Total: 3' }], structuredContent: { total: 3 } })).toBe('Total: 3');
    expect(mcpResultText({ content: [] })).toBe('');
  });

  it('names content types it does not know', () => {
    expect(mcpResultText({ content: [{ type: 'hologram' }] })).toBe('[hologram content]');
  });
});
