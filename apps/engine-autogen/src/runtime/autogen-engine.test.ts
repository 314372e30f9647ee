import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore } from '@switchyard/store';
import { LocalSandboxExecutor, PythonSandboxExecutor, type CodeExecutor } from '@switchyard/code-sandbox';
import type { EngineEvent } from '@switchyard/contracts';
import { AutoGenEngine } from './autogen-engine.ts';
import { messagesOf, recordingIO, startScriptedModel, universalState } from '../testing/engine-fixtures.ts';

const codeExecutor: CodeExecutor = new LocalSandboxExecutor();
const pythonSandbox = new PythonSandboxExecutor().checkSupport().available;
const typed = (events: EngineEvent[], type: string) => events.filter((e) => e.type === type);

describe('AutoGenEngine on the simulated model', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let llm: LlmClient;
  let dir: string;

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0 });
    llm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url });
    dir = mkdtempSync(join(tmpdir(), 'autogen-engine-'));
  });
  afterAll(async () => {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const engineOn = (store = new SqliteStore({ filename: ':memory:' })) => new AutoGenEngine(llm, store, () => codeExecutor);

  it('code-assistant writes code, runs it in the sandbox and stops on TERMINATE', async () => {
    const io = recordingIO();
    const result = await engineOn().run({ state: universalState('w-code', 'Write JavaScript code that adds 19 and 23'), definition: null }, io);
    expect(result.status).toBe('SUCCEEDED');
    const [execution] = typed(io.events, 'CODE_EXECUTION');
    expect(execution).toMatchObject({ agent: 'executor', data: { language: 'javascript', exitCode: 0, stderr: '' } });
    expect((execution!.data as { stdout: string }).stdout).toContain('sum: 42');
    expect(messagesOf(io.events).map((m) => m.agent)).toEqual(['user', 'coder', 'executor', 'coder']);
    expect(typed(io.events, 'SPEAKER_SELECTED').map((e) => e.agent)).toEqual(['coder', 'executor', 'coder']);
    const calls = typed(io.events, 'MODEL_CALL');
    expect(calls.map((c) => c.agent)).toEqual(['coder', 'coder']);
    for (const call of calls) expect((call.data as { usage: { input: number } }).usage.input).toBeGreaterThan(0);
    if (result.status !== 'SUCCEEDED') return;
    expect(result.output).toContain('The task is complete');
    expect(result.output).not.toContain('TERMINATE');
    expect(result.state).toMatchObject({ team: 'round_robin', template: 'code-assistant', stopReason: "Text 'TERMINATE' mentioned by coder", turns: 3 });
    expect((result.state!.usageByAgent as Record<string, { calls: number; input: number }>).coder).toMatchObject({ calls: 2 });
  });

  it.skipIf(!pythonSandbox)('code-assistant runs Python in the Python sandbox', async () => {
    const io = recordingIO();
    const result = await engineOn().run({ state: universalState('w-py', 'Write a Python script that adds 19 and 23'), definition: { template: 'code-assistant' } }, io);
    expect(result.status).toBe('SUCCEEDED');
    expect(typed(io.events, 'CODE_EXECUTION')[0]).toMatchObject({ data: { language: 'python', exitCode: 0 } });
    expect((typed(io.events, 'CODE_EXECUTION')[0]!.data as { stdout: string }).stdout).toContain('sum: 42');
  });

  it('a failing run is reported to the coder, who sends a corrected version', async () => {
    const failing: CodeExecutor = { languages: ['python', 'javascript'], execute: async (blocks) => ({ exitCode: 1, stdout: '', stderr: `NameError in ${blocks.length} block`, timedOut: false, memoryExceeded: false, aborted: false, language: 'python', durationMs: 1 }) };
    const io = recordingIO();
    const engine = new AutoGenEngine(llm, new SqliteStore({ filename: ':memory:' }), () => failing);
    const result = await engine.run({ state: universalState('w-fail', 'Write a Python script that adds 19 and 23'), definition: { template: 'code-assistant', maxTurns: 4 } }, io);
    expect(result).toMatchObject({ status: 'SUCCEEDED', state: { stopReason: 'Maximum number of turns 4 reached.' } });
    const messages = messagesOf(io.events);
    expect(messages[2]!.message).toBe('exit code: 1\nstdout:\n(empty)\nstderr:\nNameError in 1 block');
    expect(messages[3]!.message).toContain('corrected version');
  });

  it('round robin stops at maxTurns and at maxMessages', async () => {
    const team = (extra: object) => ({
      type: 'round_robin',
      participants: [
        { type: 'assistant', name: 'writer', systemMessage: 'You are a writer.' },
        { type: 'assistant', name: 'critic', systemMessage: 'You are a critic.' },
      ],
      ...extra,
    });
    const turns = recordingIO();
    const byTurns = await engineOn().run({ state: universalState('w-rr1', 'Draft a slogan for a bakery'), definition: team({ maxTurns: 3 }) }, turns);
    expect(byTurns).toMatchObject({ status: 'SUCCEEDED', state: { stopReason: 'Maximum number of turns 3 reached.' } });
    expect(messagesOf(turns.events).map((m) => m.agent)).toEqual(['user', 'writer', 'critic', 'writer']);
    const messages = recordingIO();
    const byMessages = await engineOn().run({ state: universalState('w-rr2', 'Draft a slogan for a bakery'), definition: team({ termination: { maxMessages: 2 } }) }, messages);
    expect(byMessages).toMatchObject({ status: 'SUCCEEDED', state: { stopReason: 'Maximum number of messages 2 reached, current message count: 2' } });
  });

  it('an assistant calls tools and reflects on them, or returns their summary', async () => {
    const team = (reflectOnToolUse: boolean) => ({
      type: 'round_robin',
      participants: [{ type: 'assistant', name: 'mathematician', tools: ['calculator'], reflectOnToolUse }],
      termination: { maxMessages: 2 },
    });
    const reflect = recordingIO();
    const reflected = await engineOn().run({ state: universalState('w-tool1', 'Calculate 6 * 7'), definition: team(true) }, reflect);
    expect(typed(reflect.events, 'TOOL_CALL')[0]).toMatchObject({ agent: 'mathematician', data: { tool: 'calculator', ok: true } });
    expect(typed(reflect.events, 'MODEL_CALL')).toHaveLength(2);
    expect(typed(reflect.events, 'TOOL_CALL')[0]!.data).toMatchObject({ preview: '42', resultBytes: 2, arguments: { expression: expect.stringContaining('6 * 7') } });
    expect(reflected.status === 'SUCCEEDED' && reflected.output).toContain('calculator returned 42');
    const summary = recordingIO();
    await engineOn().run({ state: universalState('w-tool2', 'Calculate 6 * 7'), definition: team(false) }, summary);
    expect(typed(summary.events, 'MODEL_CALL')).toHaveLength(1);
    const toolCall = typed(summary.events, 'TOOL_CALL')[0]!.data as { preview: string };
    expect(messagesOf(summary.events).at(-1)).toEqual({ agent: 'mathematician', message: toolCall.preview });
  });

  it('debate: the selector picks speakers within the candidate filter until the judge speaks', async () => {
    const io = recordingIO();
    const result = await engineOn().run({ state: universalState('w-debate', 'Debate the motion: cities should ban cars'), definition: { template: 'debate' } }, io);
    expect(result).toMatchObject({ status: 'SUCCEEDED', state: { team: 'selector', stopReason: "'judge' answered" } });
    const speakers = messagesOf(io.events).map((m) => m.agent);
    expect(speakers.slice(0, 3)).toEqual(['user', 'proponent', 'opponent']);
    expect(speakers.at(-1)).toBe('judge');
    const selections = typed(io.events, 'SPEAKER_SELECTED');
    expect(selections[0]).toMatchObject({ agent: 'proponent', data: { method: 'only_candidate' } });
    expect(selections.some((s) => (s.data as { method: string }).method === 'model')).toBe(true);
    expect(typed(io.events, 'MODEL_CALL').some((c) => c.agent === 'selector')).toBe(true);
  });

  it('a user proxy waits for the person across an engine restart, then continues with the answer', async () => {
    const file = join(dir, 'proxy.db');
    const state = universalState('w-proxy', 'Research how tea reached Europe');
    const first = recordingIO();
    const waiting = await engineOn(new SqliteStore({ filename: file })).run({ state, definition: { template: 'research-chat' } }, first);
    expect(waiting).toMatchObject({ status: 'WAITING_FOR_INPUT', pendingInput: { agent: 'person', from: 'assistant' } });
    expect((waiting as { pendingInput: { question: string } }).pendingInput.question).toContain('[simulated]');

    // A new engine on the same database: still waiting, and asked again without an answer it stays so.
    const restarted = engineOn(new SqliteStore({ filename: file }));
    expect((await restarted.run({ state, definition: { template: 'research-chat' } }, recordingIO())).status).toBe('WAITING_FOR_INPUT');
    const second = recordingIO();
    const again = await restarted.run({ state, definition: { template: 'research-chat' }, resume: { message: 'What about Russia?' } }, second);
    expect(again.status).toBe('WAITING_FOR_INPUT');
    expect(messagesOf(second.events)).toEqual([
      { agent: 'person', message: 'What about Russia?' },
      expect.objectContaining({ agent: 'assistant' }),
    ]);
    const third = recordingIO();
    const done = await restarted.run({ state, definition: { template: 'research-chat' }, resume: 'Thanks. APPROVE' }, third);
    expect(done).toMatchObject({ status: 'SUCCEEDED', state: { stopReason: "Text 'APPROVE' mentioned by person", messageCount: 5 } });
    expect(typed(first.events, 'MODEL_CALL').length + typed(second.events, 'MODEL_CALL').length + typed(third.events, 'MODEL_CALL').length).toBe(4);
  });

  it('continues after a crash mid-chat without regenerating earlier messages', async () => {
    const file = join(dir, 'crash.db');
    const definition = {
      type: 'round_robin',
      participants: [
        { type: 'assistant', name: 'planner', systemMessage: 'You are a planner.' },
        { type: 'assistant', name: 'reviewer', systemMessage: 'You are a reviewer.' },
      ],
      termination: { maxMessages: 6 },
    };
    const state = universalState('w-crash', 'Plan a team offsite');
    const controller = new AbortController();
    const first = recordingIO({
      signal: controller.signal,
      onEvent: (event, events) => {
        // Crash while the third agent turn's model call is in flight.
        if (event.type === 'SPEAKER_SELECTED' && typed(events, 'AGENT_MESSAGE').length === 3) controller.abort(new Error('crash'));
      },
    });
    const interrupted = await engineOn(new SqliteStore({ filename: file }))
      .run({ state, definition }, first)
      .catch((error: Error) => ({ status: 'THREW', error: error.message }));
    expect(interrupted.status).not.toBe('SUCCEEDED');
    const before = messagesOf(first.events);
    expect(before.map((m) => m.agent)).toEqual(['user', 'planner', 'reviewer']);

    const second = recordingIO();
    const result = await engineOn(new SqliteStore({ filename: file })).run({ state, definition }, second);
    expect(result).toMatchObject({ status: 'SUCCEEDED', state: { messageCount: 6 } });
    expect(second.events[0]).toMatchObject({ type: 'STEP_STARTED', step: 'recovery' });
    const after = messagesOf(second.events);
    expect(after.map((m) => m.agent)).toEqual(['planner', 'reviewer', 'planner']);
    expect(typed(second.events, 'MODEL_CALL')).toHaveLength(3);
    if (result.status === 'SUCCEEDED') expect((result.state!.messages as { content: string }[]).slice(0, 3).map((m) => m.content)).toEqual(before.map((m) => m.message));
  });

  it('fails fast with BAD_DEFINITION on an invalid team and validate() names the paths', async () => {
    const definition = { type: 'round_robin', participants: [{ type: 'assistant', name: 'a' }, { type: 'assistant', name: 'a' }] };
    const io = recordingIO();
    const result = await engineOn().run({ state: universalState('w-bad', 'x'), definition }, io);
    expect(result).toEqual({ status: 'FAILED', code: 'BAD_DEFINITION', error: 'Invalid AutoGen team definition: definition.participants[1].name: duplicate' });
    expect(io.events).toEqual([]);
    expect(await engineOn().validate(definition, io.tenant)).toEqual(['definition.participants[1].name: duplicate']);
    expect(await engineOn().validate({ template: 'debate' }, io.tenant)).toEqual([]);
  });
});

describe('AutoGenEngine on a scripted model', () => {
  it('retries a bad speaker pick with feedback, and falls back after maxSelectorAttempts', async () => {
    const picks = ['Nobody in particular.', 'alice and bob both', 'bob'];
    const model = await startScriptedModel((request) => {
      if (request.messages[0]!.content?.includes('select the next role')) {
        const attempt = request.messages.filter((m) => m.role === 'assistant').length;
        return picks[attempt] ?? 'nobody';
      }
      return `${request.messages[0]?.content?.slice(0, 3)} speaking`;
    });
    try {
      const engine = new AutoGenEngine(createLlmClient({ provider: 'openai-compatible', baseUrl: model.url, maxRetries: 0 }), new SqliteStore({ filename: ':memory:' }), () => codeExecutor);
      const team = (maxSelectorAttempts: number) => ({
        type: 'selector',
        participants: [
          { type: 'assistant', name: 'alice', systemMessage: 'ali' },
          { type: 'assistant', name: 'bob', systemMessage: 'bob' },
          { type: 'assistant', name: 'carol', systemMessage: 'car' },
        ],
        selector: { maxSelectorAttempts },
        maxTurns: 1,
      });
      const io = recordingIO();
      await engine.run({ state: universalState('w-sel1', 'Discuss'), definition: team(3) }, io);
      expect(typed(io.events, 'SPEAKER_SELECTED')[0]).toMatchObject({ agent: 'bob', data: { method: 'model', attempts: 3 } });
      const third = model.requests.filter((r) => r.messages[0]!.content?.includes('select the next role'))[2]!;
      expect(third.messages.map((m) => m.role)).toEqual(['system', 'assistant', 'user', 'assistant', 'user']);
      expect(third.messages[2]!.content).toBe("No valid name was mentioned. Please select from: ['alice', 'bob', 'carol'].");
      expect(third.messages[4]!.content).toBe("Expected exactly one name to be mentioned. Please select only one from: ['alice', 'bob', 'carol'].");
      expect(typed(io.events, 'MODEL_CALL').filter((c) => c.agent === 'selector')).toHaveLength(3);

      // Two bad answers with two attempts: no previous speaker yet, so the first candidate speaks.
      const fallback = recordingIO();
      await engine.run({ state: universalState('w-sel2', 'Discuss'), definition: team(2) }, fallback);
      expect(typed(fallback.events, 'SPEAKER_SELECTED')[0]).toMatchObject({ agent: 'alice', data: { method: 'fallback', attempts: 2 } });
    } finally {
      await model.close();
    }
  });

  it('rejects a repeated speaker unless allowed, falling back to the previous speaker', async () => {
    const model = await startScriptedModel((request) => (request.messages[0]!.content?.includes('select the next role') ? 'alice' : 'ok'));
    try {
      const engine = new AutoGenEngine(createLlmClient({ provider: 'openai-compatible', baseUrl: model.url, maxRetries: 0 }), new SqliteStore({ filename: ':memory:' }), () => codeExecutor);
      const participants = [
        { type: 'assistant', name: 'alice' },
        { type: 'assistant', name: 'bob' },
        { type: 'assistant', name: 'carol' },
      ];
      const strict = recordingIO();
      await engine.run({ state: universalState('w-rep1', 'Go'), definition: { type: 'selector', participants, maxTurns: 2, selector: { maxSelectorAttempts: 2 } } }, strict);
      // Turn 1: alice is fine. Turn 2: alice again is refused twice; AutoGen then keeps the previous speaker.
      expect(typed(strict.events, 'SPEAKER_SELECTED').map((e) => [e.agent, (e.data as { method: string }).method])).toEqual([
        ['alice', 'model'],
        ['alice', 'fallback'],
      ]);
      const feedback = model.requests.at(-2)!.messages.at(-1)!.content;
      expect(feedback).toBe("Repeated speaker is not allowed, please select a different name from: ['bob', 'carol'].");
      const relaxed = recordingIO();
      await engine.run({ state: universalState('w-rep2', 'Go'), definition: { type: 'selector', participants, maxTurns: 2, selector: { allowRepeatedSpeaker: true } } }, relaxed);
      expect(typed(relaxed.events, 'SPEAKER_SELECTED').map((e) => (e.data as { attempts: number }).attempts)).toEqual([1, 1]);
    } finally {
      await model.close();
    }
  });

  it('swarm: the target of the last handoff speaks next, and a handoff condition stops the chat', async () => {
    const model = await startScriptedModel((request) => {
      const system = request.messages[0]!.content ?? '';
      const tools = (request.tools ?? []) as { function: { name: string } }[];
      if (system.startsWith('triage') && !request.messages.some((m) => m.role === 'tool')) return { toolCalls: [{ name: 'transfer_to_billing' }] };
      if (system.startsWith('billing')) {
        const billingTurns = request.messages.filter((m) => m.role === 'assistant' && m.name === 'billing').length;
        return billingTurns === 0 ? 'Refund issued for invoice 7.' : { toolCalls: [{ name: tools[0]!.function.name }] };
      }
      return 'unexpected';
    });
    try {
      const engine = new AutoGenEngine(createLlmClient({ provider: 'openai-compatible', baseUrl: model.url, maxRetries: 0 }), new SqliteStore({ filename: ':memory:' }), () => codeExecutor);
      const definition = {
        type: 'swarm',
        participants: [
          { type: 'assistant', name: 'triage', systemMessage: 'triage agent', handoffs: ['billing'] },
          { type: 'assistant', name: 'billing', systemMessage: 'billing agent', handoffs: ['user'] },
        ],
        termination: { or: [{ handoff: 'user' }, { maxMessages: 10 }] },
      };
      const io = recordingIO();
      const result = await engine.run({ state: universalState('w-swarm', 'I was charged twice'), definition }, io);
      expect(messagesOf(io.events).map((m) => m.agent)).toEqual(['user', 'triage', 'billing', 'billing']);
      expect(typed(io.events, 'HANDOFF').map((e) => e.data)).toEqual([
        { from: 'triage', target: 'billing', index: 1 },
        { from: 'billing', target: 'user', index: 3 },
      ]);
      expect(typed(io.events, 'SPEAKER_SELECTED').map((e) => [e.agent, (e.data as { method: string }).method])).toEqual([
        ['triage', 'initial'],
        ['billing', 'handoff'],
        ['billing', 'handoff'],
      ]);
      expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'Refund issued for invoice 7.', state: { stopReason: 'Handoff to user from billing detected' } });
      // The transfer tool is offered as AutoGen names it.
      expect(model.requests[0]!.tools!.map((t) => t.function.name)).toEqual(['transfer_to_billing']);

      // Without the handoff condition the person is asked, and their answer goes back to billing.
      const waitingIO = recordingIO();
      const waiting = await engine.run({ state: universalState('w-swarm2', 'I was charged twice'), definition: { ...definition, termination: { maxMessages: 6 } } }, waitingIO);
      expect(waiting).toMatchObject({ status: 'WAITING_FOR_INPUT', pendingInput: { agent: 'user', from: 'billing' } });
      const resumed = recordingIO();
      await engine.run({ state: universalState('w-swarm2', 'I was charged twice'), definition, resume: 'Please also refund invoice 8' }, resumed);
      expect(typed(resumed.events, 'HANDOFF')[0]!.data).toEqual({ from: 'user', target: 'billing', index: 4 });
      expect(typed(resumed.events, 'SPEAKER_SELECTED')[0]).toMatchObject({ agent: 'billing', data: { method: 'handoff' } });
    } finally {
      await model.close();
    }
  });

  it('stops on token usage and on timeout', async () => {
    const model = await startScriptedModel(() => 'still talking');
    try {
      const engine = new AutoGenEngine(createLlmClient({ provider: 'openai-compatible', baseUrl: model.url, maxRetries: 0 }), new SqliteStore({ filename: ':memory:' }), () => codeExecutor);
      const participants = [
        { type: 'assistant', name: 'a' },
        { type: 'assistant', name: 'b' },
      ];
      // Every scripted call costs 10 + 5 tokens.
      const tokens = await engine.run({ state: universalState('w-tok', 'Talk'), definition: { type: 'round_robin', participants, termination: { tokenUsage: { maxTotalTokens: 45 } } } }, recordingIO());
      expect(tokens).toMatchObject({ status: 'SUCCEEDED', state: { stopReason: 'Token usage limit reached, total token count: 45', messageCount: 4 } });
      const timeout = await engine.run({ state: universalState('w-time', 'Talk'), definition: { type: 'round_robin', participants, termination: { timeoutSeconds: 0.001 } } }, recordingIO());
      expect(timeout).toMatchObject({ status: 'SUCCEEDED', state: { stopReason: 'Timeout of 0.001 seconds reached' } });
    } finally {
      await model.close();
    }
  });

  it('stops when the external signal aborts, passing it to the model call in flight', async () => {
    let release: () => void = () => undefined;
    const model = await startScriptedModel(() => 'never');
    try {
      const llm = createLlmClient({ provider: 'openai-compatible', baseUrl: model.url, maxRetries: 0 });
      const slow: LlmClient = { ...llm, chat: (request, options) => new Promise((resolve, reject) => {
        release = () => void llm.chat(request, options).then(resolve, reject);
        options?.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
      }) };
      const engine = new AutoGenEngine(slow, new SqliteStore({ filename: ':memory:' }), () => codeExecutor);
      const controller = new AbortController();
      const io = recordingIO({ signal: controller.signal, onEvent: (e) => e.type === 'SPEAKER_SELECTED' && setTimeout(() => controller.abort(new Error('cancelled')), 10) });
      const outcome = await engine
        .run({ state: universalState('w-ext', 'Talk'), definition: { type: 'round_robin', participants: [{ type: 'assistant', name: 'a' }], termination: { or: [{ external: true }, { maxMessages: 5 }] } } }, io)
        .catch((error: Error) => error);
      release();
      expect(outcome).toBeInstanceOf(Error);
      expect(typed(io.events, 'AGENT_MESSAGE')).toHaveLength(1);
      expect(model.requests).toHaveLength(0);
    } finally {
      await model.close();
    }
  });
});
