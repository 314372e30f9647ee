import { afterEach, describe, expect, it } from 'vitest';
import { createLlmClient } from '@switchyard/llm';
import { SqliteStore } from '@switchyard/store';
import { CrewAIEngine } from './crewai-engine.ts';
import { runCrew, startScriptedModel, textOf, type ScriptedReply, type WireRequest } from '../testing/crew-test-kit.ts';

// These tests script the model per request (a tiny OpenAI-compatible server), so the engine's guards
// meet exactly the misbehaviour CrewAI users report, through the real openai SDK over HTTP.

const researcher = { role: 'Researcher', goal: 'Find facts', backstory: 'A careful researcher.' };
const writer = { role: 'Writer', goal: 'Write reports', backstory: 'A clear writer.' };
const systemOf = (request: WireRequest) => textOf(request.messages[0]);
const lastOf = (request: WireRequest) => request.messages.at(-1)!;

let closeModel: (() => Promise<void>) | undefined;
afterEach(async () => {
  await closeModel?.();
  closeModel = undefined;
});

async function engineWith(reply: (request: WireRequest, index: number) => ScriptedReply) {
  const model = await startScriptedModel(reply);
  closeModel = model.close;
  const llm = createLlmClient({ provider: 'openai-compatible', baseUrl: model.url, maxRetries: 0 });
  return { engine: new CrewAIEngine(llm, new SqliteStore({ filename: ':memory:' })), requests: model.requests };
}

const hierarchical = (extra: Record<string, unknown> = {}) => ({
  process: 'hierarchical',
  agents: [researcher, writer],
  tasks: [{ name: 'findings', description: 'Find three facts about solar panels', expectedOutput: 'Three facts', agent: 'Researcher' }],
  ...extra,
});

describe('hierarchical delegation guards', () => {
  it('fails clearly when the manager keeps delegating the same work, naming the task and what repeated', async () => {
    const { engine, requests } = await engineWith((request) => {
      if (systemOf(request).startsWith('You are Crew Manager')) {
        return { toolCalls: [{ name: 'delegate_work_to_coworker', arguments: { task: 'Find facts about solar panels', context: 'none', coworker: 'Researcher' } }] };
      }
      return { content: 'Solar panels convert light into electricity.' };
    });
    const { result, events } = await runCrew(engine, { workflowId: 'loop', input: 'solar', definition: hierarchical() });
    expect(result).toMatchObject({ status: 'FAILED', code: 'DELEGATION_LOOP' });
    expect((result as { error: string }).error).toContain('Task "findings": Crew Manager repeated the same delegation to Researcher ("Find facts about solar panels")');
    // One real delegation, then the repeat is caught before the coworker runs again.
    expect(events.filter((e) => e.type === 'DELEGATION')).toHaveLength(1);
    expect(requests.filter((r) => systemOf(r).startsWith('You are Researcher'))).toHaveLength(1);
  });

  it('fails when the manager goes beyond maxDelegations in one task', async () => {
    const { engine } = await engineWith((request, index) => {
      if (systemOf(request).startsWith('You are Crew Manager')) {
        return { toolCalls: [{ name: 'ask_question_to_coworker', arguments: { question: `Question number ${index}?`, context: '', coworker: 'researcher' } }] };
      }
      return { content: 'An answer.' };
    });
    const { result, events } = await runCrew(engine, { workflowId: 'limit', input: 'solar', definition: hierarchical({ maxDelegations: 3 }) });
    expect(result).toMatchObject({ status: 'FAILED', code: 'DELEGATION_LIMIT' });
    expect((result as { error: string }).error).toContain('Task "findings"');
    expect((result as { error: string }).error).toContain('maxDelegations (3)');
    const delegations = events.filter((e) => e.type === 'DELEGATION');
    expect(delegations).toHaveLength(3);
    // A lower-case role from the model still reaches the right coworker.
    expect(delegations[0]!.data).toMatchObject({ from: 'Crew Manager', to: 'Researcher', task: 'findings', question: expect.stringContaining('Question number') });
  });

  it('offers the manager only the task\'s agent as coworker, and fails a manager that keeps doing the work itself', async () => {
    const { engine, requests } = await engineWith(() => ({ content: 'I did it all myself.' }));
    const { result } = await runCrew(engine, { workflowId: 'lazy', input: 'solar', definition: hierarchical() });
    expect(result).toMatchObject({ status: 'FAILED', code: 'MANAGER_DID_NOT_DELEGATE' });
    const delegate = requests[0]!.tools!.find((t) => t.function.name === 'delegate_work_to_coworker')!;
    expect((delegate.function.parameters as { properties: { coworker: { enum: string[] } } }).properties.coworker.enum).toEqual(['Researcher']);
    // The manager was told once to delegate before the crew failed.
    expect(textOf(lastOf(requests[1]!))).toContain("you don't perform tasks yourself");
  });
});

describe('agent loop limits', () => {
  const single = (agent: Record<string, unknown>, task: Record<string, unknown> = {}) => ({
    agents: [{ ...researcher, ...agent }],
    tasks: [{ name: 'sum', description: 'Add the numbers 2, 3 and 4', expectedOutput: 'The sum', agent: 'Researcher', ...task }],
  });

  it('forces a final answer after maxIter rounds of tool use', async () => {
    const { engine, requests } = await engineWith((request) =>
      request.tool_choice === 'none' ? { content: 'The sum is 9.' } : { toolCalls: [{ name: 'calculator', arguments: { expression: `2+3+${request.messages.length}` } }] },
    );
    const { result, events } = await runCrew(engine, { workflowId: 'iter', input: 'sum', definition: single({ tools: ['calculator'], maxIter: 2 }) });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'The sum is 9.' });
    expect(requests).toHaveLength(3);
    expect(textOf(lastOf(requests[2]!))).toContain('you MUST give your absolute best final answer');
    expect(events.filter((e) => e.type === 'TOOL_CALL')).toHaveLength(2);
    expect(events.find((e) => e.type === 'AGENT_MESSAGE')!.data).toMatchObject({ kind: 'forced_final_answer' });
  });

  it('uses tools through the ReAct text protocol when the agent says toolCalling: react', async () => {
    const { engine, requests } = await engineWith((request) =>
      textOf(lastOf(request)).startsWith('Observation:')
        ? { content: `Thought: I now know the final answer\nFinal Answer: The sum is ${textOf(lastOf(request)).replace('Observation: ', '')}.` }
        : { content: 'Thought: I should add them.\nAction: calculator\nAction Input: {"expression": "2 + 3 * 4"}\nObservation: (made up)' },
    );
    const { result, events } = await runCrew(engine, { workflowId: 'react', input: 'sum', definition: single({ tools: ['calculator'], toolCalling: 'react' }) });
    expect(result).toMatchObject({ status: 'SUCCEEDED', output: 'The sum is 14.' });
    expect(requests.every((r) => r.tools === undefined)).toBe(true);
    expect(systemOf(requests[0]!)).toContain('Action Input:');
    expect(events.find((e) => e.type === 'TOOL_CALL')!.data).toMatchObject({ tool: 'calculator', arguments: { expression: '2 + 3 * 4' }, source: 'builtin', ok: true, resultBytes: 2 });
  });

  it('gives a tool error back to the agent as an observation instead of failing', async () => {
    const { engine, requests } = await engineWith((request) =>
      lastOf(request).role === 'tool' ? { content: 'Could not compute.' } : { toolCalls: [{ name: 'calculator', arguments: { expression: '2 +* 3' } }] },
    );
    const { result } = await runCrew(engine, { workflowId: 'toolerr', input: 'sum', definition: single({ tools: ['calculator'] }) });
    expect(result.status).toBe('SUCCEEDED');
    expect(textOf(lastOf(requests[1]!))).toMatch(/^Error: calculator: cannot evaluate "2 \+\* 3": unexpected "\*" at position 4/);
  });

  it('fails with AGENT_TIMEOUT when an agent exceeds maxExecutionTime', async () => {
    const { engine } = await engineWith(() => ({ toolCalls: [{ name: 'current_time', arguments: {} }] }));
    // 100 tool rounds over HTTP take far longer than 20 ms.
    const { result } = await runCrew(engine, { workflowId: 'slow', input: 'x', definition: single({ tools: ['current_time'], maxExecutionTime: 0.02, maxIter: 100 }) });
    expect(result).toMatchObject({ status: 'FAILED', code: 'AGENT_TIMEOUT' });
    expect((result as { error: string }).error).toContain('Agent "Researcher" exceeded its maxExecutionTime of 0.02 s on task "sum"');
  });
});

describe('guardrails and output schemas', () => {
  const task = (extra: Record<string, unknown>) => ({
    agents: [writer],
    tasks: [{ name: 'summary', description: 'Summarise the solar market', expectedOutput: 'A summary', agent: 'Writer', ...extra }],
  });

  it('retries a task whose output fails a guardrail, telling the agent what failed', async () => {
    const { engine, requests } = await engineWith((_request, index) => ({ content: index === 0 ? 'Too short.' : `Summary: ${'solar is growing fast. '.repeat(5)}` }));
    const { result, events } = await runCrew(engine, { workflowId: 'guard', input: 'x', definition: task({ guardrails: ['min_length:60', 'contains:Summary'] }) });
    expect(result.status).toBe('SUCCEEDED');
    const failed = events.filter((e) => e.type === 'GUARDRAIL_FAILED');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.data).toMatchObject({ guardrail: 'min_length:60', attempt: 1 });
    expect(textOf(lastOf(requests[1]!))).toContain('### Previous attempt failed validation: the output has 10 characters; it must have at least 60');
    expect(events.find((e) => e.type === 'TASK_COMPLETED')!.data).toMatchObject({ attempts: 2 });
  });

  it('fails the workflow when the guardrail still fails after its retries', async () => {
    const { engine, requests } = await engineWith(() => ({ content: 'Short.' }));
    const { result } = await runCrew(engine, { workflowId: 'guard2', input: 'x', definition: task({ guardrails: ['min_length:100'], guardrailMaxRetries: 2 }) });
    expect(result).toMatchObject({ status: 'FAILED', code: 'GUARDRAIL_FAILED' });
    expect((result as { error: string }).error).toBe('Task "summary" failed its guardrail "min_length:100" after 2 retries: the output has 6 characters; it must have at least 100.');
    expect(requests).toHaveLength(3);
  });

  it('asks the model to judge a rule written in words, and retries when it says no', async () => {
    let judged = 0;
    const { engine } = await engineWith((request) => {
      if (request.response_format?.type === 'json_schema') {
        judged += 1;
        return { content: JSON.stringify(judged === 1 ? { pass: false, reason: 'no competitor is named' } : { pass: true, reason: 'names two competitors' }) };
      }
      return { content: 'SunCo and Brightway lead the market.' };
    });
    const { result, events } = await runCrew(engine, { workflowId: 'judge', input: 'x', definition: task({ guardrails: ['Names at least two competitors'] }) });
    expect(result.status).toBe('SUCCEEDED');
    expect(judged).toBe(2);
    expect(events.find((e) => e.type === 'GUARDRAIL_FAILED')!.message).toBe('Names at least two competitors: no competitor is named');
  });

  it('validates a JSON-schema output and retries the conversion with the validation error', async () => {
    const schema = { type: 'object', properties: { companies: { type: 'array', items: { type: 'string' }, minItems: 2 } }, required: ['companies'] };
    let conversions = 0;
    const { engine, requests } = await engineWith((request) => {
      if (request.response_format?.type !== 'json_schema') return { content: 'SunCo and Brightway.' };
      conversions += 1;
      return { content: conversions === 1 ? '{"companies": ["SunCo"]}' : '```json\n{"companies": ["SunCo", "Brightway"]}\n```' };
    });
    const { result, events } = await runCrew(engine, { workflowId: 'json', input: 'x', definition: task({ outputJsonSchema: schema }) });
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse((result as { output: string }).output)).toEqual({ companies: ['SunCo', 'Brightway'] });
    expect(events.filter((e) => e.type === 'OUTPUT_VALIDATION_FAILED')).toHaveLength(1);
    expect(textOf(lastOf(requests.at(-1)!))).toContain('companies');
  });
});
