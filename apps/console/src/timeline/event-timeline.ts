/** The fields of a workflow event the timeline needs (a subset of the API's WorkflowEvent). */
export interface TimelineEvent {
  sequence: number;
  type: string;
  at?: string;
  step?: string | null;
  agent?: string | null;
  message?: string | null;
  data?: unknown;
}

export const TERMINAL_EVENT_TYPES = ['WORKFLOW_SUCCEEDED', 'WORKFLOW_FAILED', 'WORKFLOW_CANCELLED'] as const;

export type AddOutcome = 'added' | 'duplicate' | 'gap';

/**
 * A workflow's events in sequence order, 1..n without holes. Events are numbered by the platform
 * with no gap and no duplicate, so a resumed subscription (afterSequence = lastSequence) continues
 * exactly where the last one stopped; an event seen twice (a replay overlapping what was shown) is
 * dropped, and an event past a hole is refused so the caller resubscribes from lastSequence
 * instead of showing a timeline with a missing step.
 */
export class EventTimeline<E extends TimelineEvent = TimelineEvent> {
  private readonly items: E[] = [];

  get events(): readonly E[] {
    return this.items;
  }

  /** The last sequence shown; 0 before any event. Resume with afterSequence = this. */
  get lastSequence(): number {
    return this.items.at(-1)?.sequence ?? 0;
  }

  get finished(): boolean {
    const last = this.items.at(-1);
    return !!last && (TERMINAL_EVENT_TYPES as readonly string[]).includes(last.type);
  }

  add(event: E): AddOutcome {
    if (event.sequence <= this.lastSequence) return 'duplicate';
    if (event.sequence !== this.lastSequence + 1) return 'gap';
    this.items.push(event);
    return 'added';
  }
}
