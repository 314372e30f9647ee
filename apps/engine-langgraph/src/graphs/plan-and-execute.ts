import { Annotation, END, START, StateGraph, type BaseCheckpointSaver } from '@langchain/langgraph';
import type { LlmClient } from '@switchyard/llm';
import { WorkflowEventType, type EngineEvent } from '@switchyard/contracts';
import { callModel } from '../runtime/model-calls.ts';

/** Native state of the general plan-and-execute graph. */
export const PlanAndExecuteState = Annotation.Root({
  input: Annotation<string>(),
  plan: Annotation<string[]>({ reducer: (_old, next) => next, default: () => [] }),
  results: Annotation<string[]>({ reducer: (old, next) => old.concat(next), default: () => [] }),
  output: Annotation<string | null>({ reducer: (_old, next) => next, default: () => null }),
});
export type PlanAndExecuteState = typeof PlanAndExecuteState.State;

export interface GraphIO {
  emit(event: EngineEvent): void;
  signal: AbortSignal;
}

const MAX_STEPS = 4;

/**
 * The default graph for work without a fitting template: plan the steps with one model call,
 * execute them one per node visit (a loop back through a conditional edge), then write the final
 * answer. Every node is checkpointed, so a crash re-runs at most the node in flight.
 */
export function buildPlanAndExecuteGraph(llm: LlmClient, checkpointer: BaseCheckpointSaver, io: GraphIO) {
  const step = <T>(name: string, body: () => Promise<T>): Promise<T> => {
    io.emit({ type: WorkflowEventType.STEP_STARTED, step: name });
    return body().then((value) => {
      io.emit({ type: WorkflowEventType.STEP_COMPLETED, step: name });
      return value;
    });
  };

  return new StateGraph(PlanAndExecuteState)
    .addNode('make_plan', (state) =>
      step('plan', async () => {
        const result = await callModel(
          llm,
          {
            messages: [
              { role: 'system', content: 'You plan work. Break the request into 2 to 4 concrete steps.' },
              { role: 'user', content: state.input },
            ],
            responseFormat: {
              type: 'json_schema',
              name: 'plan',
              schema: {
                type: 'object',
                properties: { steps: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: MAX_STEPS } },
                required: ['steps'],
                additionalProperties: false,
              },
            },
          },
          io,
          'plan',
        );
        const plan = parsePlan(result.content, state.input);
        return { plan };
      }),
    )
    .addNode('execute_step', (state) =>
      step(`execute:${state.results.length + 1}`, async () => {
        const current = state.plan[state.results.length]!;
        const result = await callModel(
          llm,
          {
            messages: [
              { role: 'system', content: 'You carry out one step of a plan and report the result briefly.' },
              { role: 'user', content: `Request: ${state.input}\nStep: ${current}\nEarlier results:\n${state.results.join('\n') || '(none)'}` },
            ],
          },
          io,
          'execute',
        );
        return { results: [result.content ?? ''] };
      }),
    )
    .addNode('write_answer', (state) =>
      step('finalize', async () => {
        const result = await callModel(
          llm,
          {
            messages: [
              { role: 'system', content: 'Write the final answer to the request from the step results.' },
              { role: 'user', content: `Request: ${state.input}\nResults:\n${state.results.map((r, i) => `${i + 1}. ${r}`).join('\n')}` },
            ],
          },
          io,
          'finalize',
        );
        return { output: result.content ?? '' };
      }),
    )
    .addEdge(START, 'make_plan')
    .addEdge('make_plan', 'execute_step')
    .addConditionalEdges('execute_step', (state) => (state.results.length < state.plan.length ? 'execute_step' : 'write_answer'), ['execute_step', 'write_answer'])
    .addEdge('write_answer', END)
    .compile({ checkpointer });
}

function parsePlan(content: string | null, input: string): string[] {
  try {
    const parsed = JSON.parse(content ?? '') as { steps?: unknown };
    const steps = Array.isArray(parsed.steps) ? parsed.steps.filter((s): s is string => typeof s === 'string' && s.trim() !== '') : [];
    if (steps.length > 0) return steps.slice(0, MAX_STEPS);
  } catch {
    // A model that ignores the format still gets its request executed as one step.
  }
  return [input];
}
