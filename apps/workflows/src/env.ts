import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { baseServiceEnv, serviceUrlsSetting } from '@switchyard/service-kit';

export const envSchema = baseServiceEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(4003),
  SWITCHYARD_SELECTION_URL: serviceUrlsSetting('http://127.0.0.1:4002/graphql'),
  SWITCHYARD_ENGINE_LANGGRAPH_URL: serviceUrlsSetting('http://127.0.0.1:4004/graphql'),
  SWITCHYARD_ENGINE_CREWAI_URL: serviceUrlsSetting('http://127.0.0.1:4005/graphql'),
  SWITCHYARD_BILLING_URL: serviceUrlsSetting('http://127.0.0.1:4007/graphql'),
  SWITCHYARD_TENANTS_URL: serviceUrlsSetting('http://127.0.0.1:4001/graphql'),
  SWITCHYARD_ENGINE_AUTOGEN_URL: serviceUrlsSetting('http://127.0.0.1:4006/graphql'),
  /** This replica's name in workflow leases; unique per process. */
  WORKFLOWS_REPLICA_ID: z.string().default(() => `workflows-${randomUUID().slice(0, 8)}`),
  /** How long a replica's claim on a workflow lasts without renewal. */
  WORKFLOWS_LEASE_MS: z.coerce.number().int().min(1000).default(15_000),
  /** Quotas before the tenants service named a tenant's (its plan's, decision 023): runs per calendar month, workflows queued or running at once. */
  QUOTA_RUNS_PER_MONTH: z.coerce.number().int().min(1).default(100_000),
  QUOTA_CONCURRENT_WORKFLOWS: z.coerce.number().int().min(1).default(200),
  /** Redis for waking event readers on every replica at once; without it readers poll the store. */
  REDIS_URL: z.string().url().optional(),
  /**
   * How often a workflow's event reader looks at the store when no append was notified: a safety net,
   * since appends in this process (and, with REDIS_URL, on every replica) wake readers at once. Lower
   * it when several replicas run without Redis.
   */
  WORKFLOWS_EVENT_POLL_MS: z.coerce.number().int().min(50).default(2000),
  /** How often a replica looks for unfinished workflows whose lease expired. */
  WORKFLOWS_RECOVERY_INTERVAL_MS: z.coerce.number().int().min(100).default(2000),
  /** How often model-call usage that did not reach billing at once is sent again from the outbox. */
  USAGE_OUTBOX_INTERVAL_MS: z.coerce.number().int().min(100).default(5000),
});
export type WorkflowsEnv = z.infer<typeof envSchema>;
