import { describe, expect, it } from 'vitest';
import { applyStatusChange, mergeInitial, type WorkflowSummary } from './workflow-list.ts';

const wf = (id: string, status: string, updatedAt: string, createdAt = '2026-01-01T00:00:00Z'): WorkflowSummary => ({ id, status, framework: 'LANGGRAPH', updatedAt, createdAt });
const waiting = (w: WorkflowSummary) => w.status === 'WAITING_FOR_INPUT';

describe('live workflow lists', () => {
  it('adds a workflow that starts waiting, and drops it once answered', () => {
    const a = wf('a', 'WAITING_FOR_INPUT', '2026-01-01T00:00:05Z', '2026-01-01T00:00:01Z');
    const b = wf('b', 'WAITING_FOR_INPUT', '2026-01-01T00:00:06Z', '2026-01-01T00:00:02Z');
    let list = applyStatusChange([], a, waiting);
    list = applyStatusChange(list, b, waiting);
    expect(list.map((w) => w.id)).toEqual(['b', 'a']);
    list = applyStatusChange(list, wf('a', 'RUNNING', '2026-01-01T00:00:07Z'), waiting);
    expect(list.map((w) => w.id)).toEqual(['b']);
  });

  it('ignores a change older than what is shown (the query and the subscription crossed)', () => {
    const shown = [wf('a', 'SUCCEEDED', '2026-01-01T00:00:09Z')];
    expect(applyStatusChange(shown, wf('a', 'RUNNING', '2026-01-01T00:00:03Z'), () => true)).toEqual(shown);
  });

  it('applies the changes that arrived during the initial query on top of its answer', () => {
    const initial = [wf('a', 'WAITING_FOR_INPUT', '2026-01-01T00:00:01Z')];
    const merged = mergeInitial(initial, [wf('a', 'RUNNING', '2026-01-01T00:00:02Z'), wf('c', 'WAITING_FOR_INPUT', '2026-01-01T00:00:03Z')], waiting);
    expect(merged.map((w) => `${w.id}:${w.status}`)).toEqual(['c:WAITING_FOR_INPUT']);
  });
});
