import { WorkflowEventType, type EngineEvent } from '@switchyard/contracts';
import { CHOICES } from '../graphs/graph-compiler.ts';

/** Engine-specific event: which state keys a node changed (with their values when small). */
export const STATE_UPDATED = 'STATE_UPDATED';
const MAX_VALUES_BYTES = 4000;

type TaskChunk = { id: string; name: string; input?: unknown; triggers?: string[]; result?: unknown; error?: unknown; interrupts?: unknown[] };

/**
 * Turn LangGraph stream chunks (stream modes "tasks" and "updates") into workflow events:
 * a task's start and finish become STEP_STARTED / STEP_COMPLETED (step = node name), a node's
 * update becomes STATE_UPDATED with the changed keys. Interrupted tasks are left to the
 * orchestrator's WAITING_FOR_INPUT event.
 */
export function eventsFromChunk(mode: string, chunk: unknown, options: { steps: boolean }): EngineEvent[] {
  if (mode === 'tasks' && options.steps) {
    const task = chunk as TaskChunk;
    if (task.name.startsWith('__')) return [];
    const index = (task.input as { index?: unknown } | undefined)?.index;
    const data = { taskId: task.id, ...(task.triggers?.includes('__pregel_push') && typeof index === 'number' ? { index } : {}) };
    if ('input' in task) return [{ type: WorkflowEventType.STEP_STARTED, step: task.name, data }];
    if (task.interrupts && task.interrupts.length > 0) return [];
    if (task.error) return [{ type: 'STEP_FAILED', step: task.name, message: String((task.error as { message?: string }).message ?? task.error), data: { taskId: task.id } }];
    return [{ type: WorkflowEventType.STEP_COMPLETED, step: task.name, data: { taskId: task.id } }];
  }
  if (mode === 'updates') {
    const events: EngineEvent[] = [];
    for (const [node, update] of Object.entries(chunk as Record<string, unknown>)) {
      if (node.startsWith('__') || !update || typeof update !== 'object') continue;
      const record = update as Record<string, unknown>;
      const route = (record[CHOICES] as Record<string, unknown> | undefined)?.[node];
      const values = Object.fromEntries(Object.entries(record).filter(([key]) => !key.startsWith('_')));
      const keys = Object.keys(values);
      if (keys.length === 0 && route === undefined) continue;
      const small = JSON.stringify(values).length <= MAX_VALUES_BYTES;
      events.push({
        type: STATE_UPDATED,
        step: node,
        message: route !== undefined ? `${node} → ${String(route)}` : `${node} changed ${keys.join(', ')}`,
        data: { keys, ...(small ? { values } : {}), ...(route !== undefined ? { route } : {}) },
      });
    }
    return events;
  }
  return [];
}
