import { z } from 'zod';

export const Framework = z.enum(['LANGGRAPH', 'CREWAI', 'AUTOGEN', 'HYBRID']);
export type Framework = z.infer<typeof Framework>;

export const WorkflowStatus = z.enum(['QUEUED', 'RUNNING', 'WAITING_FOR_INPUT', 'SUCCEEDED', 'FAILED', 'CANCELLED']);
export type WorkflowStatus = z.infer<typeof WorkflowStatus>;

export const TERMINAL_STATUSES: readonly WorkflowStatus[] = ['SUCCEEDED', 'FAILED', 'CANCELLED'];
export function isTerminalStatus(status: WorkflowStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export const Role = z.enum(['PLATFORM_ADMIN', 'TENANT_ADMIN', 'DEVELOPER', 'VIEWER']);
export type Role = z.infer<typeof Role>;

/** The blueprint's WorkflowType: the shape of the work, which maps onto a framework. */
export const WorkflowType = z.enum(['state_machine', 'multi_agent_team', 'conversational', 'hybrid']);
export type WorkflowType = z.infer<typeof WorkflowType>;
