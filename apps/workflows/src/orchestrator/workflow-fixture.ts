import { initialUniversalState, type WorkflowStatus } from '@switchyard/contracts';
import type { WorkflowDoc } from './workflow-documents.ts';

/** A stored workflow as the manager would write it, for tests that put one in the store directly. */
export function workflowFixture(tenantId: string, id: string, status: WorkflowStatus = 'QUEUED', options: { input?: string; ageMs?: number } = {}): WorkflowDoc {
  const input = options.input ?? 'Process insurance claim #1';
  const now = new Date(Date.now() - (options.ageMs ?? 0)).toISOString();
  return {
    id,
    tenantId,
    status,
    input,
    framework: 'LANGGRAPH',
    recommendation: null,
    definition: null,
    output: null,
    state: initialUniversalState({ workflowId: id, tenantId, input, framework: 'LANGGRAPH', userId: 'user-1' }),
    pendingInput: null,
    pendingResume: null,
    error: null,
    errorCode: null,
    idempotencyKey: null,
    createdAt: now,
    updatedAt: now,
    lease: null,
    dispatchAttempts: 0,
  };
}
