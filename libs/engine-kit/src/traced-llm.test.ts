import { describe, expect, it } from 'vitest';
import { MAX_MESSAGES_BYTES, boundedMessagesJson } from './traced-llm.ts';

describe('boundedMessagesJson', () => {
  const message = (role: string, content: string) => ({ role, parts: [{ type: 'text' as const, content }] });

  it('keeps messages that fit whole', () => {
    const messages = [message('system', 'You are a claims assistant.'), message('user', 'Process claim #12345')];
    expect(JSON.parse(boundedMessagesJson(messages))).toEqual(messages);
  });

  it('cuts long texts and then the oldest messages, and stays valid JSON within the bound', () => {
    const messages = [
      message('system', 'S'.repeat(50_000)),
      ...Array.from({ length: 300 }, (_, i) => message('user', `question ${i} ${'q'.repeat(200)}`)),
      { role: 'assistant', parts: [{ type: 'tool_call' as const, id: 'c1', name: 'calculator', arguments: { expression: '1+'.repeat(20_000) } }] },
      message('user', 'the last question, with ü and emoji 🚀'),
    ];
    const json = boundedMessagesJson(messages);
    expect(Buffer.byteLength(json, 'utf8')).toBeLessThanOrEqual(MAX_MESSAGES_BYTES);
    const kept = JSON.parse(json) as { role: string; parts: { content?: string }[] }[];
    expect(kept.length).toBeGreaterThan(1);
    expect(kept.at(-1)!.parts[0]!.content).toBe('the last question, with ü and emoji 🚀');
    expect(JSON.stringify(kept)).toContain('…[truncated]');
  });
});
