import type { DocumentStore, Collection } from '@switchyard/store';
import { ConflictError, PreconditionFailedError, type TokenUsageTotals } from '@switchyard/contracts';
import { RunSupersededError } from '@switchyard/engine-kit';
import type { TeamSpec } from '../definition/team-definition.ts';
import type { ChatMessage } from './chat-message.ts';

/** Usage and model calls of one agent (or of the selector). */
export interface AgentUsage extends TokenUsageTotals {
  calls: number;
}

/**
 * A group chat's saved state (AutoGen's team state: the message thread, the turn counter, the
 * speakers), stored after every message so a restarted engine continues the same conversation.
 */
export interface GroupChatDoc {
  id: string;
  tenantId: string;
  team: TeamSpec;
  template: string | null;
  thread: ChatMessage[];
  turn: number;
  /** The selector's previous speaker. */
  previousSpeaker: string | null;
  /** Chosen but not yet spoken: a restart does not ask the selector again. */
  nextSpeaker: string | null;
  /** The participant (a user proxy, or "user" in a swarm) whose input the chat waits for. */
  waitingFor: string | null;
  usageByAgent: Record<string, AgentUsage>;
  /** Running time before the current run, for the timeout condition. */
  elapsedMs: number;
  status: 'running' | 'waiting' | 'finished';
  stopReason: string | null;
  updatedAt: string;
}

/** The engine's store of group chats: one document per workflow in the tenant's partition. */
export class ChatStateStore {
  private readonly chats: Collection<GroupChatDoc>;

  constructor(store: DocumentStore) {
    this.chats = store.collection<GroupChatDoc>('group-chats');
  }

  async load(tenantId: string, workflowId: string): Promise<{ doc: GroupChatDoc; etag: string } | null> {
    return this.chats.get(tenantId, workflowId);
  }

  /**
   * Save the chat, conditional on the version this run last saw (none: a new chat). If another run
   * of the same workflow wrote in between, this run has been superseded and must stop. Returns the
   * new version.
   */
  async save(doc: GroupChatDoc, etag: string | null): Promise<string> {
    const next = { ...doc, updatedAt: new Date().toISOString() };
    try {
      const stored = etag ? await this.chats.replace(next, { ifMatch: etag }) : await this.chats.create(next);
      return stored.etag;
    } catch (error) {
      if (error instanceof PreconditionFailedError || error instanceof ConflictError) {
        throw new RunSupersededError(`Group chat ${doc.id} was continued by another run; this run stops.`);
      }
      throw error;
    }
  }
}
