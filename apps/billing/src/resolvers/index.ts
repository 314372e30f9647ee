import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, type RequestContext } from '@switchyard/service-kit';
import type { BudgetManager } from '../budgets/budget-manager.ts';

export function buildResolvers(budgets: BudgetManager): GraphQLResolverMap<RequestContext> {
  return {
    DateTime: DateTimeScalar,
    Mutation: {
      setBudget: (_root, { input }: { input: { monthlyLimitUsd: number; hardLimit: boolean } }, { tenant }) => budgets.setBudget(tenant, input),
    },
    Workflow: {
      __resolveReference: (reference: { id: string }) => reference,
      cost: () => budgets.workflowCost(),
    },
    Tenant: {
      __resolveReference: (reference: { id: string }) => reference,
      usage: (_tenantRef: { id: string }, _args, { tenant }) => budgets.usage(tenant),
      budget: (tenantRef: { id: string }, _args, { tenant }) => budgets.getBudget(tenant, tenantRef.id),
    },
  };
}
