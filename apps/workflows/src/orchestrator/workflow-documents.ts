import type { Framework, UniversalAgentState, WorkflowEventRecord, WorkflowStatus } from '@switchyard/contracts';

export interface RecommendationSnapshot {
  recommendationId?: string | null;
  framework: Framework;
  confidence: number;
  alternatives: { framework: Framework; probability: number }[];
  rationale: string;
  modelVersion: string;
}

/** A workflow as the orchestrator stores it. */
export interface WorkflowDoc {
  id: string;
  tenantId: string;
  status: WorkflowStatus;
  input: string;
  framework: Framework;
  recommendation: RecommendationSnapshot | null;
  definition: unknown;
  output: string | null;
  state: UniversalAgentState;
  pendingInput: unknown;
  /** The human's answer, kept until the engine has run past the question (survives a crash). */
  pendingResume: { value: unknown } | null;
  error: string | null;
  errorCode: string | null;
  idempotencyKey: string | null;
  /** The API key that started the workflow: its model calls count against that key's budget too. */
  startedByKeyId?: string | null;
  createdAt: string;
  updatedAt: string;
  /** Which replica drives the workflow, until when; taken and renewed by conditional writes. */
  lease: { owner: string; expiresAt: number } | null;
  dispatchAttempts: number;
  /** For HYBRID workflows: which stage runs next and what earlier stages produced. */
  hybrid?: HybridProgress | null;
  /** The W3C trace context the workflow was started in: every run of it, on any replica, joins that trace. */
  trace?: { traceparent: string; tracestate?: string } | null;
  /** The tenant's telemetry settings when the workflow started; every run of it (recovered ones too) keeps to them. */
  telemetry?: { keepPrompts: boolean } | null;
}

export interface HybridProgress {
  nextStage: number;
  /** The stage that announced STAGE_STARTED, so a continued stage does not announce it twice. */
  startedStage: number | null;
  outputs: Record<string, string>;
}

export type EventDoc = WorkflowEventRecord;

export interface IdempotencyDoc {
  id: string;
  tenantId: string;
  workflowId: string;
  /** When the key was claimed (absent on claims stored before it was recorded). */
  createdAt?: string;
}

export function eventId(workflowId: string, sequence: number): string {
  return `${workflowId}:${String(sequence).padStart(10, '0')}`;
}
