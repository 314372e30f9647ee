import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, JSONScalar, type RequestContext } from '@switchyard/service-kit';
import type { EventLog } from '../orchestrator/event-log.ts';
import { workflowEventStream } from '../orchestrator/event-subscription.ts';
import type { EventDoc, WorkflowDoc } from '../orchestrator/workflow-documents.ts';
import type { WorkflowManager } from '../orchestrator/workflow-manager.ts';

export function buildResolvers(manager: WorkflowManager, events: EventLog): GraphQLResolverMap<RequestContext> {
  return {
    JSON: JSONScalar,
    DateTime: DateTimeScalar,
    Query: {
      workflow: (_root, { id }: { id: string }, { tenant }) => manager.get(tenant, id),
      workflows: (_root, args: { first?: number; after?: string; status?: string }, { tenant }) => manager.list(tenant, args),
    },
    Mutation: {
      startWorkflow: (_root, { input }: { input: unknown }, { tenant }) => manager.start(tenant, input),
      resumeWorkflow: (_root, { id, response }: { id: string; response: unknown }, { tenant }) => manager.resume(tenant, id, response),
      cancelWorkflow: (_root, { id }: { id: string }, { tenant }) => manager.cancel(tenant, id),
    },
    Subscription: {
      workflowEvents: {
        subscribe: (_root: unknown, args: { workflowId: string; afterSequence?: number | null }, { tenant }: RequestContext) =>
          mapToField(workflowEventStream(tenant, manager, events, args.workflowId, args.afterSequence ?? 0)),
      },
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

async function* mapToField(stream: AsyncGenerator<EventDoc>): AsyncGenerator<{ workflowEvents: EventDoc }> {
  for await (const event of stream) yield { workflowEvents: event };
}
