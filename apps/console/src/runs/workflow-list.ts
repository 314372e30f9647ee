/** The fields of a workflow the lists need. */
export interface WorkflowSummary {
  id: string;
  status: string;
  framework: string;
  updatedAt: string;
  createdAt: string;
}

/**
 * Merge one workflowStatusChanges event into a list shown newest first: replace the workflow when
 * it is newer than what is shown (changes and the initial query may cross), add it when it matches
 * the list's filter, drop it when it no longer does.
 */
export function applyStatusChange<W extends WorkflowSummary>(list: readonly W[], changed: W, matches: (w: W) => boolean): W[] {
  const index = list.findIndex((w) => w.id === changed.id);
  const known = index >= 0 ? list[index]! : null;
  if (known && Date.parse(known.updatedAt) > Date.parse(changed.updatedAt)) return [...list];
  const without = list.filter((w) => w.id !== changed.id);
  if (!matches(changed)) return without;
  if (known) {
    const next = [...list];
    next[index] = changed;
    return next;
  }
  return [changed, ...without].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
}

/** Changes that arrived while the initial query ran, applied on top of its answer. */
export function mergeInitial<W extends WorkflowSummary>(initial: readonly W[], changes: readonly W[], matches: (w: W) => boolean): W[] {
  return changes.reduce<W[]>((list, change) => applyStatusChange(list, change, matches), initial.filter(matches));
}
