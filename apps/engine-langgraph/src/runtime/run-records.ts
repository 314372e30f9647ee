import { ConflictError } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';

/** Where a run's graph came from, as the workflow named it. */
export type GraphSource =
  | { kind: 'template'; name: string; chosenBy: 'definition' | 'input' }
  | { kind: 'stored'; definitionId: string; version: number }
  | { kind: 'inline' }
  | { kind: 'fork'; workflowId: string; checkpointId: string };

/** The graph a run executes: the built-in plan-and-execute graph or a declarative definition. */
export type RunGraph = { kind: 'plan-and-execute' } | { kind: 'declarative'; definition: Record<string, unknown> };

/**
 * What the engine fixed when a workflow first reached it: the graph (so a definition updated later
 * cannot change a run halfway), where it came from, and for a fork what to copy. Keyed by tenant +
 * workflowId like the run's checkpoint thread.
 */
export interface RunRecord {
  id: string;
  tenantId: string;
  graph: RunGraph;
  source: GraphSource;
  input: string;
  forkOf: { workflowId: string; checkpointId: string; values: Record<string, unknown> } | null;
  /** Set once a fork's checkpoint was copied and edited. */
  forkCompleted: boolean;
  createdAt: string;
}

export class RunRecords {
  private readonly runs: Collection<RunRecord>;

  constructor(store: DocumentStore) {
    this.runs = store.collection<RunRecord>('lg_runs');
  }

  async get(tenantId: string, workflowId: string): Promise<RunRecord | null> {
    return (await this.runs.get(tenantId, workflowId))?.doc ?? null;
  }

  /** Store the record, or return the one a concurrent first run stored. */
  async create(record: RunRecord): Promise<RunRecord> {
    try {
      return (await this.runs.create(record)).doc;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      return (await this.get(record.tenantId, record.id)) ?? record;
    }
  }

  async markForkCompleted(record: RunRecord): Promise<void> {
    await this.runs.upsert({ ...record, forkCompleted: true });
  }
}
