import { z } from 'zod';
import { Framework, WorkflowType } from './enums.ts';

export const TokenUsageTotals = z.object({
  input: z.number().int().nonnegative(),
  output: z.number().int().nonnegative(),
  cached: z.number().int().nonnegative().default(0),
});
export type TokenUsageTotals = z.infer<typeof TokenUsageTotals>;

export const WorkflowErrorRecord = z.object({
  error: z.string(),
  code: z.string().optional(),
  framework: Framework.optional(),
  step: z.string().optional(),
  at: z.string(),
});
export type WorkflowErrorRecord = z.infer<typeof WorkflowErrorRecord>;

export const Artifact = z.object({
  name: z.string(),
  kind: z.string(),
  content: z.unknown().optional(),
  uri: z.string().optional(),
});
export type Artifact = z.infer<typeof Artifact>;

/**
 * The blueprint's UniversalAgentState: one state schema that every engine reads and writes, so a
 * workflow can move between engines (hybrid workflows) and the orchestrator can store and show it
 * without knowing any engine's native state. Engine-native state lives under `frameworkStates`.
 */
export const UniversalAgentState = z.object({
  tenantId: z.string(),
  workflowId: z.string(),
  userId: z.string(),
  workflowType: WorkflowType,
  selectedFramework: Framework,
  frameworkConfidence: z.number().min(0).max(1),
  userInput: z.string(),
  workflowConfig: z.record(z.string(), z.unknown()),
  currentStep: z.string(),
  stepsCompleted: z.array(z.string()),
  frameworkStates: z.record(z.string(), z.record(z.string(), z.unknown())),
  finalOutput: z.string().nullable(),
  artifacts: z.array(Artifact),
  startTime: z.string(),
  endTime: z.string().nullable(),
  tokenUsage: TokenUsageTotals,
  costUsd: z.number().nonnegative(),
  errors: z.array(WorkflowErrorRecord),
  retryCount: z.number().int().nonnegative(),
});
export type UniversalAgentState = z.infer<typeof UniversalAgentState>;

export const FRAMEWORK_WORKFLOW_TYPE: Record<Framework, WorkflowType> = {
  LANGGRAPH: 'state_machine',
  CREWAI: 'multi_agent_team',
  AUTOGEN: 'conversational',
  HYBRID: 'hybrid',
};

/** A workflow's universal state before anything ran. */
export function initialUniversalState(init: {
  tenantId: string;
  workflowId: string;
  userId: string;
  framework: Framework;
  confidence?: number;
  input: string;
  config?: Record<string, unknown>;
  now?: string;
}): UniversalAgentState {
  return {
    tenantId: init.tenantId,
    workflowId: init.workflowId,
    userId: init.userId,
    workflowType: FRAMEWORK_WORKFLOW_TYPE[init.framework],
    selectedFramework: init.framework,
    frameworkConfidence: init.confidence ?? 1,
    userInput: init.input,
    workflowConfig: init.config ?? {},
    currentStep: 'initialization',
    stepsCompleted: [],
    frameworkStates: {},
    finalOutput: null,
    artifacts: [],
    startTime: init.now ?? new Date().toISOString(),
    endTime: null,
    tokenUsage: { input: 0, output: 0, cached: 0 },
    costUsd: 0,
    errors: [],
    retryCount: 0,
  };
}
