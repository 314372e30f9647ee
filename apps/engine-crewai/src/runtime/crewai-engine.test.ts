import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLlmClient, type LlmClient } from '@switchyard/llm';
import { startSimulator } from '@switchyard/llm-simulator';
import { SqliteStore } from '@switchyard/store';
import type { EngineEvent } from '@switchyard/contracts';
import { CrewAIEngine } from './crewai-engine.ts';
import { runCrew, startScriptedModel, textOf } from '../testing/crew-test-kit.ts';
import type { UsageSnapshot } from '../crew/usage-ledger.ts';

type CrewState = { tasks: Array<{ task: string; agent: string; output: string; json?: unknown; humanFeedback?: string }>; usage: UsageSnapshot; kickoffs?: Array<{ plans?: Record<string, string> }> };
const stateOf = (result: unknown) => (result as { state: CrewState }).state;
const ofType = (events: EngineEvent[], type: string) => events.filter((e) => e.type === type);

describe('CrewAIEngine on the simulated model', () => {
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  let llm: LlmClient;
  const tempDir = mkdtempSync(join(tmpdir(), 'crewai-engine-'));

  beforeAll(async () => {
    simulator = await startSimulator({ port: 0, latencyMs: 0 });
    llm = createLlmClient({ provider: 'simulator', baseUrl: simulator.url });
  });
  afterAll(async () => {
    await simulator.close();
    rmSync(tempDir, { recursive: true, force: true });
  });
  const memoryEngine = () => new CrewAIEngine(llm, new SqliteStore({ filename: ':memory:' }));

  it('runs a sequential crew task by task, each by its agent, with usage per agent and per task', async () => {
    const { result, events } = await runCrew(memoryEngine(), { workflowId: 'seq', input: 'Write a blog post about heat pumps', definition: { template: 'content-team' } });
    expect(result.status).toBe('SUCCEEDED');
    expect(ofType(events, 'TASK_STARTED').map((e) => [e.step, e.agent])).toEqual([
      ['strategy', 'Content Strategist'],
      ['draft', 'Content Writer'],
      ['edit', 'Editor'],
    ]);
    const state = stateOf(result);
    expect((result as { output: string }).output).toBe(state.tasks[2]!.output);
    expect((result as { output: string }).output).toContain('[simulated]');
    const calls = ofType(events, 'MODEL_CALL');
    expect(state.usage.total.modelCalls).toBe(calls.length);
    expect(state.usage.byAgent['Editor']!.modelCalls).toBe(calls.filter((c) => c.agent === 'Editor').length);
    expect(state.usage.byTask['draft']!.input).toBeGreaterThan(0);
    expect(state.usage.total.input).toBe(calls.reduce((n, c) => n + (c.data as { usage: { input: number } }).usage.input, 0));
    expect(state.usage.total.costUsd).toBe(0);
  });

  it('runs a hierarchical crew through a manager that delegates each task to its agent and answers for it', async () => {
    const { result, events } = await runCrew(memoryEngine(), { workflowId: 'hier', input: 'Research the e-bike market in Germany', definition: { template: 'market-research' } });
    expect(result.status).toBe('SUCCEEDED');
    const delegations = ofType(events, 'DELEGATION').map((e) => e.data as { from: string; to: string; task: string });
    expect(delegations.map((d) => [d.from, d.to, d.task])).toEqual([
      ['Crew Manager', 'Market Researcher', 'research'],
      ['Crew Manager', 'Market Analyst', 'analysis'],
      ['Crew Manager', 'Report Writer', 'report'],
    ]);
    expect(ofType(events, 'TASK_COMPLETED').every((e) => e.agent === 'Crew Manager')).toBe(true);
    // The researcher used its own tool while working on the delegated task.
    expect(ofType(events, 'TOOL_CALL').find((e) => e.agent === 'Market Researcher')!.data).toMatchObject({ tool: 'current_time', ok: true });
    expect(Object.keys(stateOf(result).usage.byAgent).sort()).toEqual(['Crew Manager', 'Market Analyst', 'Market Researcher', 'Report Writer']);
  });

  it('lets an agent with allowDelegation delegate to its crewmates in a sequential crew', async () => {
    const definition = {
      agents: [
        { role: 'Lead', goal: 'Coordinate', backstory: 'A lead.', allowDelegation: true },
        { role: 'Specialist', goal: 'Know the details', backstory: 'A specialist.' },
      ],
      tasks: [{ name: 'brief', description: 'Write a brief on tidal power', expectedOutput: 'A brief', agent: 'Lead' }],
    };
    const { result, events } = await runCrew(memoryEngine(), { workflowId: 'seq-delegate', input: 'x', definition });
    expect(result.status).toBe('SUCCEEDED');
    expect(ofType(events, 'DELEGATION').map((e) => e.data)).toEqual([expect.objectContaining({ from: 'Lead', to: 'Specialist', task: 'brief' })]);
    expect(ofType(events, 'TASK_COMPLETED')[0]!.agent).toBe('Lead');
  });

  it('runs asynchronous tasks alongside each other and joins them before the next synchronous task', async () => {
    const { result, events } = await runCrew(memoryEngine(), { workflowId: 'async', input: 'Due diligence on Acme Robotics', definition: { template: 'due-diligence' } });
    expect(result.status).toBe('SUCCEEDED');
    const order = events.filter((e) => e.type === 'TASK_STARTED' || e.type === 'TASK_COMPLETED').map((e) => `${e.type === 'TASK_STARTED' ? '+' : '-'}${e.step}`);
    expect(order.slice(0, 3)).toEqual(['+financial-review', '+legal-review', '+technology-review']);
    expect(order.slice(3, 6).sort()).toEqual(['-financial-review', '-legal-review', '-technology-review']);
    expect(order.slice(6)).toEqual(['+assessment', '-assessment']);
  });

  it('plans every task before the crew starts, and runs the crew once per input with kickoffForEach', async () => {
    const definition = {
      planning: true,
      agents: [{ role: 'Analyst', goal: 'Explain {topic} energy', backstory: 'An energy analyst.' }],
      tasks: [
        { name: 'overview', description: 'Give an overview of {topic} energy', expectedOutput: 'An overview', agent: 'Analyst' },
        { name: 'outlook', description: 'Give the outlook for {topic} energy', expectedOutput: 'An outlook', agent: 'Analyst' },
      ],
      inputs: [{ topic: 'wind' }, { topic: 'solar' }],
    };
    const { result, events } = await runCrew(memoryEngine(), { workflowId: 'each', input: 'Energy briefing', definition });
    expect(result.status).toBe('SUCCEEDED');
    const output = (result as { output: string }).output;
    expect(output).toMatch(/^## Run 1 \(topic=wind\)/);
    expect(output).toContain('## Run 2 (topic=solar)');
    expect(ofType(events, 'TASK_STARTED').map((e) => e.message)).toEqual([
      'Give an overview of wind energy',
      'Give the outlook for wind energy',
      'Give an overview of solar energy',
      'Give the outlook for solar energy',
    ]);
    const planning = ofType(events, 'STEP_COMPLETED').filter((e) => e.step === 'planning');
    expect(planning).toHaveLength(2);
    const kickoffs = stateOf(result).kickoffs!;
    expect(Object.keys(kickoffs[0]!.plans!)).toEqual(['overview', 'outlook']);
    expect(stateOf(result).usage.byAgent['Task Planner']!.modelCalls).toBe(2);
  });

  it('produces JSON matching a task\'s output schema', async () => {
    const schema = { type: 'object', properties: { summary: { type: 'string' }, growthPercent: { type: 'number' } }, required: ['summary', 'growthPercent'] };
    const definition = {
      agents: [{ role: 'Analyst', goal: 'Summarise markets', backstory: 'An analyst.' }],
      tasks: [{ description: 'Summarise the heat pump market, growing 12 percent', expectedOutput: 'A summary with growth', agent: 'Analyst', outputJsonSchema: schema }],
    };
    const { result } = await runCrew(memoryEngine(), { workflowId: 'json', input: 'x', definition });
    expect(result.status).toBe('SUCCEEDED');
    const json = JSON.parse((result as { output: string }).output) as { summary: string; growthPercent: number };
    expect(typeof json.summary).toBe('string');
    expect(typeof json.growthPercent).toBe('number');
    expect(stateOf(result).tasks[0]!.json).toEqual(json);
  });

  it('waits for a human to review a task, survives a restart, revises with the feedback, then continues', async () => {
    const filename = join(tempDir, 'human.sqlite');
    const definition = {
      template: 'content-team',
      tasks: [
        { name: 'strategy', description: 'Create a strategy for: {input}', expectedOutput: 'A strategy', agent: 'Content Strategist', humanInput: true },
        { name: 'draft', description: 'Write the post for: {input}', expectedOutput: 'A post', agent: 'Content Writer' },
      ],
    };
    const input = 'Blog post about rainwater harvesting';
    const first = await runCrew(new CrewAIEngine(llm, new SqliteStore({ filename })), { workflowId: 'human', input, definition });
    expect(first.result).toMatchObject({
      status: 'WAITING_FOR_INPUT',
      pendingInput: { task: 'strategy', agent: 'Content Strategist', output: expect.stringContaining('[simulated]'), question: expect.stringContaining('Review the output of task "strategy"') },
    });
    expect(ofType(first.events, 'TASK_STARTED').map((e) => e.step)).toEqual(['strategy']);

    // A new engine process on the same data: posted again without an answer, it only waits again.
    const again = await runCrew(new CrewAIEngine(llm, new SqliteStore({ filename })), { workflowId: 'human', input, definition });
    expect(again.result.status).toBe('WAITING_FOR_INPUT');
    expect(ofType(again.events, 'MODEL_CALL')).toHaveLength(0);

    const resumed = await runCrew(new CrewAIEngine(llm, new SqliteStore({ filename })), { workflowId: 'human', input, definition, resume: 'Focus on urban households and add a section on costs.' });
    expect(resumed.result.status).toBe('SUCCEEDED');
    expect(ofType(resumed.events, 'MODEL_CALL').filter((e) => e.step === 'strategy')).toHaveLength(1);
    expect(ofType(resumed.events, 'TASK_COMPLETED').map((e) => [e.step, (e.data as { revisedAfterHumanFeedback?: boolean }).revisedAfterHumanFeedback])).toEqual([
      ['strategy', true],
      ['draft', undefined],
    ]);
    const strategy = stateOf(resumed.result).tasks.find((t) => t.task === 'strategy')!;
    expect(strategy.humanFeedback).toBe('Focus on urban households and add a section on costs.');
    expect(strategy.output).not.toBe((first.result as { pendingInput: { output: string } }).pendingInput.output);

    // The orchestrator may post a finished run again (with the old answer): it answers from the checkpoint.
    const replay = await runCrew(new CrewAIEngine(llm, new SqliteStore({ filename })), { workflowId: 'human', input, definition, resume: 'x' });
    expect(replay.result).toEqual(resumed.result);
    expect(ofType(replay.events, 'MODEL_CALL')).toHaveLength(0);
  });

  it('keeps the reviewed output when the human approves it', async () => {
    const engine = memoryEngine();
    const definition = {
      agents: [{ role: 'Writer', goal: 'Write', backstory: 'A writer.' }],
      tasks: [{ name: 'post', description: 'Write a short post', expectedOutput: 'A post', agent: 'Writer', humanInput: true }],
    };
    const first = await runCrew(engine, { workflowId: 'approve', input: 'x', definition });
    const reviewed = (first.result as { pendingInput: { output: string } }).pendingInput.output;
    const second = await runCrew(engine, { workflowId: 'approve', input: 'x', definition, resume: { approved: true } });
    expect(second.result).toMatchObject({ status: 'SUCCEEDED', output: reviewed });
    expect(ofType(second.events, 'MODEL_CALL')).toHaveLength(0);
  });

  it('continues a crew interrupted after its first task from that task, not from the start', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const input = 'Newsletter about city cycling';
    const first = await runCrew(new CrewAIEngine(llm, store), {
      workflowId: 'crash',
      input,
      definition: { template: 'content-team' },
      onEvent: (event, abort) => {
        if (event.type === 'TASK_COMPLETED' && event.step === 'strategy') abort();
      },
    });
    expect(first.result.status).toBe('ABORTED');
    const second = await runCrew(new CrewAIEngine(llm, store), { workflowId: 'crash', input, definition: { template: 'content-team' } });
    expect(second.result.status).toBe('SUCCEEDED');
    expect(second.events[0]).toMatchObject({ type: 'STEP_STARTED', step: 'recovery', message: expect.stringContaining('1 of 3 tasks done') });
    expect(ofType(second.events, 'TASK_STARTED').map((e) => e.step)).toEqual(['draft', 'edit']);
    const strategyCalls = [...first.events, ...second.events].filter((e) => e.type === 'MODEL_CALL' && e.step === 'strategy');
    expect(strategyCalls).toHaveLength(1);
    // Usage survives the restart: the first process's call is still counted.
    expect(stateOf(second.result).usage.byTask['strategy']!.modelCalls).toBe(1);
  });

  it('continues a task interrupted mid-delegation from its transcript, without delegating again', async () => {
    const store = new SqliteStore({ filename: ':memory:' });
    const input = 'Research the vertical farming market';
    const first = await runCrew(new CrewAIEngine(llm, store), {
      workflowId: 'mid-task',
      input,
      definition: { template: 'market-research' },
      onEvent: (event, abort) => {
        if (event.type === 'TOOL_CALL' && event.agent === 'Crew Manager') abort();
      },
    });
    expect(first.result.status).toBe('ABORTED');
    expect(ofType(first.events, 'DELEGATION')).toHaveLength(1);
    const second = await runCrew(new CrewAIEngine(llm, store), { workflowId: 'mid-task', input, definition: { template: 'market-research' } });
    expect(second.result.status).toBe('SUCCEEDED');
    expect(second.events[0]!.message).toContain('task "research" in progress');
    expect(ofType(second.events, 'TASK_STARTED')[0]).toMatchObject({ step: 'research', data: { resumed: true } });
    // The researcher's work was not repeated: the manager went straight on to judge it.
    expect(ofType(second.events, 'DELEGATION').map((e) => (e.data as { task: string }).task)).toEqual(['analysis', 'report']);
    expect(ofType(second.events, 'MODEL_CALL').filter((e) => e.step === 'research').map((e) => e.agent)).toEqual(['Crew Manager']);
  });

  it('passes the outputs of the tasks named in context, or of all earlier tasks when none are named', async () => {
    const model = await startScriptedModel((request) => ({ content: `Output from ${textOf(request.messages[0]).split('.')[0]}` }));
    try {
      const engine = new CrewAIEngine(createLlmClient({ provider: 'openai-compatible', baseUrl: model.url, maxRetries: 0 }), new SqliteStore({ filename: ':memory:' }));
      const agents = ['A', 'B', 'C', 'D'].map((role) => ({ role, goal: 'Help', backstory: 'Helpful.' }));
      const tasks = [
        { name: 'one', description: 'First', expectedOutput: 'x', agent: 'A' },
        { name: 'two', description: 'Second', expectedOutput: 'x', agent: 'B' },
        { name: 'three', description: 'Third', expectedOutput: 'x', agent: 'C', context: ['one'] },
        { name: 'four', description: 'Fourth', expectedOutput: 'x', agent: 'D' },
      ];
      const { result } = await runCrew(engine, { workflowId: 'ctx', input: 'x', definition: { agents, tasks } });
      expect(result.status).toBe('SUCCEEDED');
      const prompts = model.requests.map((r) => textOf(r.messages[1]));
      expect(prompts[0]).not.toContain('context you\'re working with');
      expect(prompts[2]).toContain('Output of task "one" (A):\nOutput from You are A');
      expect(prompts[2]).not.toContain('Output from You are B');
      expect(prompts[3]).toContain('Output from You are A');
      expect(prompts[3]).toContain('Output from You are B');
      expect(prompts[3]).toContain('Output from You are C');
    } finally {
      await model.close();
    }
  });
});
