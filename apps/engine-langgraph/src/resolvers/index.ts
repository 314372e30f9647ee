import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, JSONScalar, type RequestContext } from '@switchyard/service-kit';
import type { GraphDefinitionManager } from '../definitions/graph-definition-manager.ts';
import { graphDefinitionJsonSchema } from '../definitions/graph-definition.ts';
import type { GraphDefinitionVersionDoc } from '../definitions/graph-definition-store.ts';
import { TEMPLATE_NAMES } from '../graphs/templates/index.ts';
import type { WorkflowHistoryManager } from '../history/workflow-history-manager.ts';

const toGraphDefinition = (doc: GraphDefinitionVersionDoc) => ({ id: doc.definitionId, name: doc.name, version: doc.version, definition: doc.definition, createdAt: doc.createdAt });

export function buildResolvers(definitions: GraphDefinitionManager, history: WorkflowHistoryManager, modelProvider: string): GraphQLResolverMap<RequestContext> {
  const jsonSchema = graphDefinitionJsonSchema();
  return {
    JSON: JSONScalar,
    DateTime: DateTimeScalar,
    Query: {
      langgraphEngine: () => ({ framework: 'LANGGRAPH', available: true, templates: TEMPLATE_NAMES, modelProvider, simulatedModel: modelProvider === 'simulator' }),
      graphDefinitions: async (_root, _args, { tenant }) => (await definitions.list(tenant)).map(toGraphDefinition),
      graphDefinition: async (_root, args: { id: string; version?: number | null }, { tenant }) => {
        const doc = await definitions.get(tenant, args.id, args.version);
        return doc ? toGraphDefinition(doc) : null;
      },
      graphDefinitionJsonSchema: () => jsonSchema,
    },
    Mutation: {
      createGraphDefinition: async (_root, { input }: { input: { name: string; definition: unknown } }, { tenant }) => toGraphDefinition(await definitions.create(tenant, input)),
      updateGraphDefinition: async (_root, args: { id: string; definition: unknown }, { tenant }) => toGraphDefinition(await definitions.update(tenant, args.id, args.definition)),
      deleteGraphDefinition: (_root, args: { id: string }, { tenant }) => definitions.delete(tenant, args.id),
      forkWorkflow: async (_root, { input }: { input: { workflowId: string; checkpointId: string; values?: unknown } }, { tenant }) => {
        const { workflowId } = await history.fork(tenant, input);
        return { workflowId, workflow: { id: workflowId } };
      },
    },
    Workflow: {
      __resolveReference: (reference: { id: string }) => reference,
      checkpoints: (workflow: { id: string }, _args, { tenant }) => history.checkpoints(tenant, workflow.id),
      graph: (workflow: { id: string }, _args, { tenant }) => history.graph(tenant, workflow.id),
    },
  };
}
