import type { TimeBucket } from '@switchyard/service-kit';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, JSONScalar, type RequestContext } from '@switchyard/service-kit';
import { workflowEventStream, type WorkflowEventFeeds } from '../orchestrator/event-subscription.ts';
import type { EventDoc, WorkflowDoc } from '../orchestrator/workflow-documents.ts';
import type { WorkflowManager } from '../orchestrator/workflow-manager.ts';
import { TenantStatusFeeds } from '../orchestrator/tenant-status-feed.ts';

export function buildResolvers(manager: WorkflowManager, feeds: WorkflowEventFeeds): GraphQLResolverMap<RequestContext> {
  const statusFeeds = new TenantStatusFeeds(manager.workflows, feeds.events.notifier);
  return {
    JSON: JSONScalar,
    DateTime: DateTimeScalar,
    Query: {
      workflow: (_root, { id }: { id: string }, { tenant }) => manager.get(tenant, id),
      workflows: (_root, args: { first?: number; after?: string; status?: string; framework?: string }, { tenant }) => manager.list(tenant, args),
    },
    Mutation: {
      startWorkflow: (_root, { input }: { input: unknown }, { tenant }) => manager.start(tenant, input),
      resumeWorkflow: (_root, { id, response }: { id: string; response: unknown }, { tenant }) => manager.resume(tenant, id, response),
      cancelWorkflow: (_root, { id }: { id: string }, { tenant }) => manager.cancel(tenant, id),
    },
    Subscription: {
      workflowEvents: {
        subscribe: (_root: unknown, args: { workflowId: string; afterSequence?: number | null }, { tenant }: RequestContext) =>
          mapToField('workflowEvents', workflowEventStream(tenant, manager, feeds, args.workflowId, args.afterSequence ?? 0)),
      },
      workflowStatusChanges: {
        subscribe: (_root: unknown, _args: unknown, { tenant }: RequestContext) => mapToField('workflowStatusChanges', statusFeeds.subscribe(tenant)),
      },
    },
    Tenant: {
      runSeries: (tenantRef: { id: string }, args: { from?: string | null; to?: string | null; bucket?: TimeBucket | null }, { tenant }: RequestContext) => manager.runSeries(tenant, tenantRef.id, args),
    },
    Workflow: {
      __resolveReference: (reference: { id: string }, { tenant }: RequestContext) => manager.get(tenant, reference.id),
      tenant: (workflow: WorkflowDoc) => ({ id: workflow.tenantId }),
      events: (workflow: WorkflowDoc, args: { afterSequence?: number | null; first?: number | null }, { tenant }) =>
        manager.listEvents(tenant, workflow, args.afterSequence, args.first),
    },
    WorkflowEvent: {
      workflow: async (event: EventDoc, _args, { tenant }) => manager.get(tenant, event.workflowId),
    },
  };
}

/** Not a generator: an unsubscribe must reach the stream while it waits for the next event. */
function mapToField<F extends string, T>(field: F, stream: AsyncIterableIterator<T>): AsyncIterableIterator<Record<F, T>> {
  const wrap = (result: IteratorResult<T>): IteratorResult<Record<F, T>> =>
    result.done ? { done: true, value: undefined } : { done: false, value: { [field]: result.value } as Record<F, T> };
  return {
    next: async () => wrap(await stream.next()),
    return: async () => wrap((await stream.return?.()) ?? { done: true, value: undefined }),
    throw: async (error?: unknown) => wrap((await stream.throw?.(error)) ?? { done: true, value: undefined }),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
