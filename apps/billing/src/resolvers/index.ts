import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, type RequestContext } from '@switchyard/service-kit';
import type { BudgetManager } from '../budgets/budget-manager.ts';
import type { UsageMeter } from '../metering/usage-meter.ts';

export function buildResolvers(budgets: BudgetManager, meter: UsageMeter): GraphQLResolverMap<RequestContext> {
  return {
    DateTime: DateTimeScalar,
    Mutation: {
      setBudget: (_root, { input }: { input: { monthlyLimitUsd: number; hardLimit: boolean } }, { tenant }) => budgets.setBudget(tenant, input),
    },
    Workflow: {
      __resolveReference: (reference: { id: string }) => reference,
      cost: (workflow: { id: string }, _args, { tenant }) => meter.workflowCost(tenant, workflow.id),
    },
    Tenant: {
      __resolveReference: (reference: { id: string }) => reference,
      usage: (tenantRef: { id: string }, args: { from?: string | null; to?: string | null }, { tenant }) => meter.usage(tenant, tenantRef.id, args.from, args.to),
      budget: (tenantRef: { id: string }, _args, { tenant }) => budgets.getBudget(tenant, tenantRef.id),
    },
  };
}
