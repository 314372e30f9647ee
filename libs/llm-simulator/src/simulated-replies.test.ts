import { describe, expect, it } from 'vitest';
import { simulateReply, type WireChatRequest, type WireTool } from './simulated-replies.ts';

const tool = (name: string, description: string, parameters: Record<string, unknown>): WireTool => ({ type: 'function', function: { name, description, parameters } });
const weather = tool('get_weather', 'Current weather for a city', {
  type: 'object',
  properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'], default: 'celsius' }, days: { type: 'integer', minimum: 1, maximum: 7 } },
  required: ['city', 'unit'],
});
const search = tool('search_docs', 'Full-text search over the documentation', { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] });
const user = (content: string, name?: string) => ({ role: 'user', content, ...(name ? { name } : {}) });

describe('simulateReply', () => {
  it('calls the tool whose name and description overlap the request, with schema-shaped arguments from the text', () => {
    const reply = simulateReply({ messages: [user('What is the weather in Porto Alegre in fahrenheit?')], tools: [search, weather] });
    expect(reply.finishReason).toBe('tool_calls');
    expect(reply.content).toBeNull();
    expect(reply.toolCalls[0]?.name).toBe('get_weather');
    expect(JSON.parse(reply.toolCalls[0]!.arguments)).toEqual({ city: 'Porto Alegre', unit: 'fahrenheit', days: 1 });
  });

  it('falls back to the first tool, honours a forced tool_choice, and answers after a tool result', () => {
    expect(simulateReply({ messages: [user('zzz')], tools: [search, weather] }).toolCalls[0]?.name).toBe('search_docs');
    const forced = simulateReply({ messages: [user('find docs')], tools: [search, weather], tool_choice: { type: 'function', function: { name: 'get_weather' } } });
    expect(forced.toolCalls[0]?.name).toBe('get_weather');
    const after = simulateReply({
      messages: [user('find docs'), { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'search_docs', arguments: '{}' } }] }, { role: 'tool', tool_call_id: 'c1', content: 'Page 7 explains resets.' }],
      tools: [search],
    });
    expect(after.toolCalls).toEqual([]);
    expect(after.content).toContain('search_docs returned Page 7 explains resets.');
  });

  it('numbers in the request fill numeric arguments in order', () => {
    const add = tool('add', 'Add two numbers', { type: 'object', properties: { a: { type: 'number' }, b: { type: 'number' } }, required: ['a', 'b'] });
    expect(JSON.parse(simulateReply({ messages: [user('Add 2.5 and 40')], tools: [add] }).toolCalls[0]!.arguments)).toEqual({ a: 2.5, b: 40 });
  });

  describe('speaker selection', () => {
    const roles = "You are in a role play game. The following roles are available:\nplanner: plans\ncoder: writes code\ncritic: reviews.";
    const ask = "Read the above conversation. Then select the next role from ['planner', 'coder', 'critic'] to play. Only return the role.";

    it('rotates to the candidate after the last named speaker (AutoGen 0.2 message names)', () => {
      const request = (last: string): WireChatRequest => ({ messages: [{ role: 'system', content: roles }, user('Build it', 'user'), user('Plan...', last), user(ask)] });
      expect(simulateReply(request('planner')).content).toBe('coder');
      expect(simulateReply(request('coder')).content).toBe('critic');
      expect(simulateReply(request('critic')).content).toBe('planner');
    });

    it('reads the last "Name:" line of a transcript inside the prompt (AutoGen 0.4 selector)', () => {
      const prompt = `${roles}\nRead the following conversation. Then select the next role from ['planner', 'coder', 'critic'] to play. Only return the role.\n\nuser: build a thing\nplanner: step 1\ncoder: done\n\n${ask}`;
      expect(simulateReply({ messages: [user(prompt)] }).content).toBe('critic');
    });

    it('accepts "participants: a, b" lists and starts with the first candidate when nobody spoke yet', () => {
      expect(simulateReply({ messages: [{ role: 'system', content: 'Pick the next speaker. Participants: Alice, Bob' }, user('hello')] }).content).toBe('Alice');
    });
  });

  it('writes a fenced code block in the language asked for, fixes it after a failure and ends with TERMINATE after success', () => {
    const py = simulateReply({ messages: [user('Write python code that sums 3, 4 and 5')] }).content!;
    expect(py).toMatch(/```python\n[\s\S]*print\([\s\S]*numbers = \[3, 4, 5\][\s\S]*```$/);
    expect(simulateReply({ messages: [user('Write a JavaScript function that greets')] }).content).toContain('```javascript\n');
    const failed = simulateReply({ messages: [user('Write python code'), { role: 'assistant', content: py }, user('exitcode: 1 (execution failed)\nTraceback...', 'executor')] });
    expect(failed.content).toMatch(/corrected[\s\S]*```python/);
    const done = simulateReply({ messages: [user('Write python code'), { role: 'assistant', content: py }, user('exitCode: 0\nCode output: sum: 12', 'executor')] });
    expect(done.content).toContain('sum: 12');
    expect(done.content!.trimEnd().endsWith('TERMINATE')).toBe(true);
  });

  it('json_object: keys from an example in the prompt, or from what the prompt mentions', () => {
    const fromExample = simulateReply({ messages: [{ role: 'system', content: 'Reply as {"claimId": "", "amount": 0, "urgent": false}' }, user('Claim #C-77 needs $300')], response_format: { type: 'json_object' } });
    expect(JSON.parse(fromExample.content!)).toEqual({ claimId: 'C-77', amount: 300, urgent: false });
    const mentioned = simulateReply({ messages: [user('Extract the claim number and amount: claim #12345 for $1,250.50')], response_format: { type: 'json_object' } });
    expect(JSON.parse(mentioned.content!)).toEqual({ claimNumber: '12345', amount: 1250.5 });
  });

  it('json_schema: enums, nullable types, arrays and $refs', () => {
    const schema = {
      type: 'object',
      properties: {
        category: { type: 'string', enum: ['fire', 'water', 'theft'] },
        city: { type: ['string', 'null'] },
        tags: { type: 'array', items: { type: 'string' }, minItems: 2 },
        owner: { $ref: '#/$defs/person' },
      },
      required: ['category', 'city', 'tags', 'owner'],
      $defs: { person: { type: 'object', properties: { email: { type: 'string', format: 'email' } }, required: ['email'] } },
    };
    const reply = simulateReply({ messages: [user('Water damage in Denver, reported by ann@example.com')], response_format: { type: 'json_schema', json_schema: { name: 'c', schema } } });
    const value = JSON.parse(reply.content!);
    expect(value).toMatchObject({ category: 'water', city: 'Denver', owner: { email: 'ann@example.com' } });
    expect(value.tags).toHaveLength(2);
  });

  it('plain answers say they are simulated, echo the request, honour Final Answer: and max tokens', () => {
    const plain = simulateReply({ messages: [user('Summarize the quarterly report for ACME.')] });
    expect(plain.content).toMatch(/^\[simulated\].*Summarize the quarterly report for ACME\./);
    expect(simulateReply({ messages: [{ role: 'system', content: 'Use the format\nThought: ...\nFinal Answer: ...' }, user('hi')] }).content).toMatch(/^Final Answer: /);
    const cut = simulateReply({ messages: [user('Summarize the report')], max_completion_tokens: 4 });
    expect(cut.finishReason).toBe('length');
    expect(cut.content).toMatch(/^\[simulated\] \w+$/);
  });

  it('is deterministic', () => {
    const request: WireChatRequest = { messages: [user('What is the weather in Oslo?')], tools: [weather, search] };
    expect(simulateReply(request)).toEqual(simulateReply(structuredClone(request)));
  });
});
