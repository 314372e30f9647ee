/**
 * What a waiting workflow asks, and the answers the inbox offers, for each engine's shape of
 * pendingInput:
 * - LangGraph human node: {kind: "human", node, prompt, context, answerSchema}; approve/reject
 *   answer {"approved": true|false} (the templates' adjuster and approval steps read that).
 * - CrewAI human review: {task, agent, question}; approve answers "approved", reject sends the
 *   edited text as feedback for the agent to revise.
 * - AutoGen user proxy: {agent, question, from, prompt}; the reply is {"message": "..."}.
 * Edit sends any JSON the person writes.
 */
export interface PendingQuestion {
  engine: 'langgraph' | 'crew' | 'chat' | 'other';
  /** What the person is asked. */
  prompt: string;
  /** Where it waits: node, task or participant. */
  where: string | null;
  /** Values the workflow shows with the question (LangGraph's `show`). */
  context: Record<string, unknown> | null;
  /** The answer for Approve, or null when approving makes no sense here. */
  approve: unknown;
  /** The answer for Reject (with an optional note), or null. */
  reject: ((note: string) => unknown) | null;
  /** A starting point for Edit. */
  editTemplate: string;
}

const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);

export function pendingQuestion(pendingInput: unknown): PendingQuestion {
  const p = (pendingInput && typeof pendingInput === 'object' ? pendingInput : {}) as Record<string, unknown>;
  const context = p['context'] && typeof p['context'] === 'object' ? (p['context'] as Record<string, unknown>) : null;
  if (p['kind'] === 'human') {
    const schema = p['answerSchema'] as { properties?: Record<string, unknown> } | undefined;
    const approvable = !schema?.properties || 'approved' in schema.properties;
    return {
      engine: 'langgraph',
      prompt: str(p['prompt']) ?? 'The workflow waits for your answer.',
      where: str(p['node']),
      context,
      approve: approvable ? { approved: true } : null,
      reject: approvable ? (note) => (note.trim() ? { approved: false, note: note.trim() } : { approved: false }) : null,
      editTemplate: JSON.stringify(approvable ? { approved: true, note: '' } : {}, null, 2),
    };
  }
  if (str(p['task'])) {
    return {
      engine: 'crew',
      prompt: str(p['question']) ?? `Review the output of task ${String(p['task'])}.`,
      where: `${String(p['task'])}${str(p['agent']) ? ` (${String(p['agent'])})` : ''}`,
      context: str(p['output']) ? { output: p['output'] } : null,
      approve: 'approved',
      reject: (note) => note.trim() || 'Please revise this.',
      editTemplate: JSON.stringify('Please revise: '),
    };
  }
  if (str(p['agent']) && ('from' in p || 'question' in p)) {
    return {
      engine: 'chat',
      prompt: str(p['question']) ?? str(p['prompt']) ?? 'The chat waits for your reply.',
      where: str(p['agent']),
      context: null,
      approve: { message: 'APPROVE' },
      reject: (note) => ({ message: note.trim() || 'No, please try again.' }),
      editTemplate: JSON.stringify({ message: '' }, null, 2),
    };
  }
  return {
    engine: 'other',
    prompt: str(p['prompt']) ?? str(p['question']) ?? 'The workflow waits for your answer.',
    where: null,
    context: null,
    approve: null,
    reject: null,
    editTemplate: JSON.stringify({}, null, 2),
  };
}
