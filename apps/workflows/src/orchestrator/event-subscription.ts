import { NotFoundError, TERMINAL_EVENT_TYPES, type TenantContext } from '@switchyard/contracts';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import type { EventLog } from './event-log.ts';
import type { EventDoc } from './workflow-documents.ts';
import type { WorkflowManager } from './workflow-manager.ts';

/**
 * The events of one workflow after `afterSequence`: stored ones first, then live ones, with no gap
 * and no duplicate at the seam (everything is read back from the store in sequence order; an append
 * in this process only wakes the reader early, polling covers appends by other replicas), ending
 * after the terminal event.
 */
export async function* workflowEventStream(
  context: TenantContext,
  manager: WorkflowManager,
  events: EventLog,
  workflowId: string,
  afterSequence: number,
  signal?: AbortSignal,
): AsyncGenerator<EventDoc> {
  requireRole(context, 'VIEWER', 'Subscribing to workflow events');
  const tenantId = requireTenant(context, 'Subscribing to workflow events');
  const workflow = await manager.get(context, workflowId);
  if (!workflow) throw new NotFoundError('Workflow', workflowId);
  let last = Math.max(afterSequence, 0);
  let wake: (() => void) | null = null;
  const unsubscribe = events.onAppend(workflowId, () => wake?.());
  try {
    for (;;) {
      const batch = await events.list(tenantId, workflowId, last, 500);
      for (const event of batch) {
        if (event.sequence !== last + 1) break;
        last = event.sequence;
        yield event;
        if (TERMINAL_EVENT_TYPES.includes(event.type)) return;
      }
      if (batch.length === 500) continue;
      if (signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, events.notifier.pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  } finally {
    unsubscribe();
  }
}
