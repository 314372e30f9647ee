import type { TimeBucket } from '@switchyard/service-kit';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, type RequestContext } from '@switchyard/service-kit';
import type { BudgetAlerts } from '../budgets/budget-alerts.ts';
import type { ApiKeyBudgetDoc, BudgetManager, SetBudgetInput } from '../budgets/budget-manager.ts';
import type { StatementManager } from '../invoices/statement-manager.ts';
import type { UsageMeter } from '../metering/usage-meter.ts';
import type { NegotiatedPrices, SetNegotiatedPriceInput } from '../pricing/negotiated-prices.ts';

import type { BudgetLedger } from '../budgets/budget-ledger.ts';
import type { AlertRuleInput, AlertRules } from '../alerts/alert-rules.ts';

export interface BillingDomain {
  ledger: BudgetLedger;
  budgets: BudgetManager;
  meter: UsageMeter;
  alerts: BudgetAlerts;
  alertRules: AlertRules;
  prices: NegotiatedPrices;
  statements: StatementManager;
}

export function buildResolvers({ budgets, meter, alerts, alertRules, prices, statements, ledger }: BillingDomain): GraphQLResolverMap<RequestContext> {
  const keyBudgetView = async (doc: ApiKeyBudgetDoc) => {
    const status = await ledger.status(doc.tenantId, new Date(), { kind: 'apiKey', keyId: doc.apiKeyId });
    return { apiKeyId: doc.apiKeyId, monthlyLimitUsd: doc.monthlyLimitUsd, spentUsd: status.settledUsd, reservedUsd: status.reservedUsd };
  };
  return {
    DateTime: DateTimeScalar,
    Mutation: {
      setBudget: (_root, { input }: { input: SetBudgetInput }, { tenant }) => budgets.setBudget(tenant, input),
      setNegotiatedPrice: (_root, { input }: { input: SetNegotiatedPriceInput }, { tenant }) => prices.set(tenant, input),
      closeStatement: (_root, { tenantId, month }: { tenantId: string; month: string }, { tenant }) => statements.close(tenant, tenantId, month),
      setAlertRule: async (_root, { input }: { input: AlertRuleInput }, { tenant }) => {
        const rule = await alertRules.set(tenant, input);
        return (await alertRules.list(tenant, rule.tenantId)).find((view) => view.id === rule.id);
      },
      deleteAlertRule: (_root, { id }: { id: string }, { tenant }) => alertRules.delete(tenant, id),
      setApiKeyBudget: async (_root, args: { apiKeyId: string; monthlyLimitUsd?: number | null }, { tenant }) => {
        const doc = await budgets.setApiKeyBudget(tenant, args.apiKeyId, args.monthlyLimitUsd ?? null);
        return doc ? keyBudgetView(doc) : null;
      },
    },
    Workflow: {
      __resolveReference: (reference: { id: string }) => reference,
      cost: (workflow: { id: string }, _args, { tenant }) => meter.workflowCost(tenant, workflow.id),
    },
    Tenant: {
      __resolveReference: (reference: { id: string }) => reference,
      usage: (tenantRef: { id: string }, args: { from?: string | null; to?: string | null }, { tenant }) => meter.usage(tenant, tenantRef.id, args.from, args.to),
      budget: (tenantRef: { id: string }, _args, { tenant }) => budgets.getBudget(tenant, tenantRef.id),
      budgetAlerts: (tenantRef: { id: string }, args: { month?: string | null }, { tenant }) => alerts.list(tenant, tenantRef.id, args.month),
      negotiatedPrices: (tenantRef: { id: string }, _args, { tenant }) => prices.list(tenant, tenantRef.id),
      statement: (tenantRef: { id: string }, args: { month?: string | null }, { tenant }) => statements.statement(tenant, tenantRef.id, args.month),
      invoices: (tenantRef: { id: string }, _args, { tenant }) => statements.invoices(tenant, tenantRef.id),
      apiKeyBudgets: async (tenantRef: { id: string }, _args, { tenant }) => Promise.all((await budgets.apiKeyBudgets(tenant, tenantRef.id)).map(keyBudgetView)),
      alertRules: (tenantRef: { id: string }, _args, { tenant }) => alertRules.list(tenant, tenantRef.id),
      alertEvents: (tenantRef: { id: string }, args: { first?: number | null; ruleId?: string | null }, { tenant }) => alertRules.listEvents(tenant, tenantRef.id, args),
      usageSeries: (tenantRef: { id: string }, args: { from?: string | null; to?: string | null; bucket?: TimeBucket | null }, { tenant }) => meter.usageSeries(tenant, tenantRef.id, args),
    },
  };
}
