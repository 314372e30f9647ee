import { z } from 'zod';
import { Framework } from './enums.ts';
import { TokenUsageTotals } from './universal-state.ts';

/** Event types the platform emits; engines may add engine-specific ones (e.g. DELEGATION, CODE_EXECUTION). */
export const WorkflowEventType = {
  WORKFLOW_STARTED: 'WORKFLOW_STARTED',
  FRAMEWORK_SELECTED: 'FRAMEWORK_SELECTED',
  STEP_STARTED: 'STEP_STARTED',
  STEP_COMPLETED: 'STEP_COMPLETED',
  AGENT_MESSAGE: 'AGENT_MESSAGE',
  TOOL_CALL: 'TOOL_CALL',
  MODEL_CALL: 'MODEL_CALL',
  WAITING_FOR_INPUT: 'WAITING_FOR_INPUT',
  RESUMED: 'RESUMED',
  WORKFLOW_SUCCEEDED: 'WORKFLOW_SUCCEEDED',
  WORKFLOW_FAILED: 'WORKFLOW_FAILED',
  WORKFLOW_CANCELLED: 'WORKFLOW_CANCELLED',
} as const;

export const TERMINAL_EVENT_TYPES: readonly string[] = [
  WorkflowEventType.WORKFLOW_SUCCEEDED,
  WorkflowEventType.WORKFLOW_FAILED,
  WorkflowEventType.WORKFLOW_CANCELLED,
];

/** What an engine reports while it runs; the orchestrator numbers and stores it as a WorkflowEvent. */
export const EngineEvent = z.object({
  type: z.string().min(1).max(64),
  step: z.string().optional(),
  agent: z.string().optional(),
  message: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});
export type EngineEvent = z.infer<typeof EngineEvent>;

/** A stored event, numbered 1..n per workflow with no gap and no duplicate. */
export const WorkflowEventRecord = EngineEvent.extend({
  id: z.string(),
  tenantId: z.string(),
  workflowId: z.string(),
  sequence: z.number().int().positive(),
  at: z.string(),
  framework: Framework.nullable(),
});
export type WorkflowEventRecord = z.infer<typeof WorkflowEventRecord>;

/** Data of a MODEL_CALL event: what billing meters. */
export const ModelCallData = z.object({
  model: z.string(),
  usage: TokenUsageTotals,
  latencyMs: z.number().nonnegative(),
  callId: z.string(),
});
export type ModelCallData = z.infer<typeof ModelCallData>;
