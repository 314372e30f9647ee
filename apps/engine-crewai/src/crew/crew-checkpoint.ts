import type { ChatMessage } from '@switchyard/llm';
import type { Collection, DocumentStore } from '@switchyard/store';
import type { DelegationRecord } from './delegation-tools.ts';
import type { UsageSnapshot } from './usage-ledger.ts';

export type KickoffInputs = Record<string, string | number | boolean>;

/** What a completed task produced: raw text (JSON text when it had an output schema) and the parsed JSON. */
export interface TaskOutputRecord {
  task: string;
  agent: string;
  output: string;
  json?: unknown;
  attempts: number;
  humanFeedback?: string;
  completedAt: string;
}

/** One run of the crew (kickoffForEach runs it once per input). */
export interface KickoffProgress {
  inputs: KickoffInputs;
  plans: Record<string, string> | null;
  outputs: Record<string, TaskOutputRecord>;
  output: string | null;
}

/** The synchronous task in flight: its agent's transcript, so a restart repeats at most one model call. */
export interface TaskTranscript {
  kickoff: number;
  task: string;
  messages: ChatMessage[];
  iterations: number;
  attempts: number;
  delegations: DelegationRecord[];
  /** Set once a human's feedback was handed to the agent: the task revises, and does not ask again. */
  humanFeedback?: string;
}

/** A task waiting for a human to review its output. */
export interface HumanReview {
  kickoff: number;
  task: string;
  agent: string;
  output: string;
  json?: unknown;
  question: string;
  messages: ChatMessage[];
  attempts: number;
}

export interface CrewCheckpoint {
  id: string;
  tenantId: string;
  workflowId: string;
  template: string | null;
  kickoffs: KickoffProgress[];
  transcript: TaskTranscript | null;
  waiting: HumanReview | null;
  usage: UsageSnapshot | null;
  result: { output: string; state: Record<string, unknown> } | null;
  updatedAt: string;
}

/**
 * The crew's progress in the engine's store, one document per tenant and workflow, written after every
 * task (and every tool round of the task in flight). Writes are serialised: async tasks finish at any time.
 */
export class CrewCheckpointStore {
  private readonly runs: Collection<CrewCheckpoint>;

  constructor(store: DocumentStore) {
    this.runs = store.collection<CrewCheckpoint>('crew_runs');
  }

  async load(tenantId: string, workflowId: string): Promise<CrewCheckpoint | null> {
    return (await this.runs.get(tenantId, workflowId))?.doc ?? null;
  }

  /** A writer bound to one checkpoint document: `save()` stores the current state, in call order. */
  writer(checkpoint: CrewCheckpoint): CheckpointWriter {
    let chain: Promise<unknown> = Promise.resolve();
    return {
      checkpoint,
      save: () => {
        const snapshot = structuredClone({ ...checkpoint, updatedAt: new Date().toISOString() });
        const write = chain.then(() => this.runs.upsert(snapshot));
        chain = write.catch(() => undefined);
        return write.then(() => undefined);
      },
    };
  }
}

export interface CheckpointWriter {
  readonly checkpoint: CrewCheckpoint;
  save(): Promise<void>;
}
