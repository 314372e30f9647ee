import { describe, expect, it } from 'vitest';
import type { ChatMessage } from './chat-message.ts';
import { evaluateTermination, type TerminationContext } from './termination.ts';

const at = new Date().toISOString();
const task: ChatMessage = { source: 'user', kind: 'task', content: 'Say TERMINATE when done', at };
const msg = (source: string, content: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({ source, kind: 'text', content, at, ...extra });
const ctx = (thread: ChatMessage[], extra: Partial<TerminationContext> = {}): TerminationContext => ({ thread, elapsedMs: 0, externalStop: false, ...extra });

describe('termination conditions', () => {
  it('maxMessages counts the task too', () => {
    expect(evaluateTermination({ maxMessages: 3 }, ctx([task, msg('a', 'x')]))).toBeNull();
    expect(evaluateTermination({ maxMessages: 3 }, ctx([task, msg('a', 'x'), msg('b', 'y')]))).toBe('Maximum number of messages 3 reached, current message count: 3');
  });

  it('textMention ignores the task and can be limited to sources', () => {
    expect(evaluateTermination({ textMention: 'TERMINATE' }, ctx([task, msg('a', 'working')]))).toBeNull();
    expect(evaluateTermination({ textMention: 'TERMINATE' }, ctx([task, msg('a', 'done. TERMINATE')]))).toBe("Text 'TERMINATE' mentioned by a");
    expect(evaluateTermination({ textMention: { text: 'APPROVE', sources: ['person'] } }, ctx([task, msg('a', 'APPROVE?')]))).toBeNull();
    expect(evaluateTermination({ textMention: { text: 'APPROVE', sources: ['person'] } }, ctx([task, msg('person', 'APPROVE')]))).not.toBeNull();
  });

  it('tokenUsage sums the usage of every message', () => {
    const thread = [task, msg('a', 'x', { usage: { input: 60, output: 20, cached: 0 } }), msg('b', 'y', { usage: { input: 30, output: 10, cached: 0 } })];
    expect(evaluateTermination({ tokenUsage: { maxTotalTokens: 121 } }, ctx(thread))).toBeNull();
    expect(evaluateTermination({ tokenUsage: { maxTotalTokens: 120 } }, ctx(thread))).toBe('Token usage limit reached, total token count: 120');
    expect(evaluateTermination({ tokenUsage: { maxPromptTokens: 90 } }, ctx(thread))).toContain('prompt token count: 90');
    expect(evaluateTermination({ tokenUsage: { maxCompletionTokens: 31 } }, ctx(thread))).toBeNull();
  });

  it('timeoutSeconds compares the running time', () => {
    expect(evaluateTermination({ timeoutSeconds: 2 }, ctx([task], { elapsedMs: 1999 }))).toBeNull();
    expect(evaluateTermination({ timeoutSeconds: 2 }, ctx([task], { elapsedMs: 2000 }))).toBe('Timeout of 2 seconds reached');
  });

  it('handoff fires on a handoff to the named target only', () => {
    const toBob = msg('alice', 'Transferred to bob', { kind: 'handoff', target: 'bob' });
    expect(evaluateTermination({ handoff: 'user' }, ctx([task, toBob]))).toBeNull();
    expect(evaluateTermination({ handoff: 'bob' }, ctx([task, toBob]))).toBe('Handoff to bob from alice detected');
  });

  it('external fires when the stop was requested', () => {
    expect(evaluateTermination({ external: true }, ctx([task]))).toBeNull();
    expect(evaluateTermination({ external: true }, ctx([task], { externalStop: true }))).toBe('External termination requested');
  });

  it('sourceMatch fires once a listed agent spoke', () => {
    expect(evaluateTermination({ sourceMatch: ['judge'] }, ctx([task, msg('pro', 'x')]))).toBeNull();
    expect(evaluateTermination({ sourceMatch: ['judge'] }, ctx([task, msg('pro', 'x'), msg('judge', 'verdict')]))).toBe("'judge' answered");
  });

  it('AND needs every part to have held; OR needs one', () => {
    const spec = { and: [{ textMention: 'TERMINATE' }, { maxMessages: 4 }] };
    expect(evaluateTermination(spec, ctx([task, msg('a', 'TERMINATE')]))).toBeNull();
    // The mention came earlier; the AND holds once the message count catches up, as AutoGen's accumulating AND does.
    expect(evaluateTermination(spec, ctx([task, msg('a', 'TERMINATE'), msg('b', 'x'), msg('a', 'y')]))).toBe("Text 'TERMINATE' mentioned by a; Maximum number of messages 4 reached, current message count: 4");
    const either = { or: [{ sourceMatch: ['judge'] }, { and: [{ maxMessages: 2 }, { textMention: 'STOP' }] }] };
    expect(evaluateTermination(either, ctx([task, msg('a', 'go')]))).toBeNull();
    expect(evaluateTermination(either, ctx([task, msg('a', 'STOP')]))).toContain("Text 'STOP'");
    expect(evaluateTermination(either, ctx([task, msg('judge', 'done')]))).toBe("'judge' answered");
  });
});
