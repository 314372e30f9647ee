import { z } from 'zod';
import { EngineEvent } from './workflow-events.ts';
import { UniversalAgentState } from './universal-state.ts';

/**
 * The one protocol between the orchestrator (apps/workflows) and every engine. The orchestrator
 * POSTs an EngineRunRequest to the engine's /engine/runs; the engine answers with a stream of
 * newline-delimited EngineStreamMessage JSON objects, ending with exactly one `result`.
 * The engine keeps its own checkpoints keyed by workflowId, so posting the same run again after a
 * crash continues where it stopped instead of starting over.
 */
export const EngineRunRequest = z.object({
  state: UniversalAgentState,
  definition: z.unknown().nullable(),
  /** The human's answer when the run was WAITING_FOR_INPUT. */
  resume: z.unknown().optional(),
  /**
   * What the run may leave in traces and logs, from the tenant's settings when the workflow started.
   * keepPrompts: prompts, completions and tool arguments are recorded; absent or false: redacted.
   */
  telemetry: z.object({ keepPrompts: z.boolean() }).optional(),
});
export type EngineRunRequest = z.infer<typeof EngineRunRequest>;

export const EngineRunResult = z.discriminatedUnion('status', [
  z.object({ status: z.literal('SUCCEEDED'), output: z.string(), state: z.record(z.string(), z.unknown()).optional() }),
  z.object({ status: z.literal('WAITING_FOR_INPUT'), pendingInput: z.unknown(), state: z.record(z.string(), z.unknown()).optional() }),
  z.object({ status: z.literal('FAILED'), error: z.string(), code: z.string().optional() }),
  z.object({ status: z.literal('CANCELLED') }),
]);
export type EngineRunResult = z.infer<typeof EngineRunResult>;

export const EngineStreamMessage = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('event'), event: EngineEvent }),
  z.object({ kind: z.literal('result'), result: EngineRunResult }),
]);
export type EngineStreamMessage = z.infer<typeof EngineStreamMessage>;
