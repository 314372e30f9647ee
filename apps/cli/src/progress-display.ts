import type { WorkflowProgressSubscription } from '@switchyard/client';

type ProgressEvent = WorkflowProgressSubscription['workflowEvents'];

/** One readable line per workflow event: sequence, what happened, where, and the cost so far. */
export function formatEvent(event: ProgressEvent): string {
  const where = [event.step, event.agent && event.agent !== event.step ? event.agent : null].filter(Boolean).join(' / ');
  const cost = `$${event.workflow.cost.totalUsd.toFixed(4)} · ${event.workflow.cost.modelCalls} model calls`;
  const message = event.message ? ` ${truncate(event.message.replace(/\s+/g, ' '), 100)}` : '';
  return `${String(event.sequence).padStart(4)}  ${event.type.padEnd(20)} ${where ? `[${where}]` : ''}${message}  (${cost})`;
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
