import type { GraphDefinitionInput } from '../../definitions/graph-definition.ts';
import { approvalChain } from './approval-chain.ts';
import { documentReview } from './document-review.ts';
import { insuranceClaim } from './insurance-claim.ts';

/** The general graph for work no template fits; not a declarative definition but built in code. */
export const PLAN_AND_EXECUTE = 'plan-and-execute';

/** Built-in graph templates, addressable as definition {"template": "<name>"}. */
export const GRAPH_TEMPLATES: Readonly<Record<string, GraphDefinitionInput>> = {
  'insurance-claim': insuranceClaim,
  'approval-chain': approvalChain,
  'document-review': documentReview,
};

export const TEMPLATE_NAMES = [...Object.keys(GRAPH_TEMPLATES), PLAN_AND_EXECUTE];

const RULES: Array<[RegExp, string]> = [
  [/\bclaims?\b/i, 'insurance-claim'],
  [/\b(?:approve|approval|approvals|purchase|purchases|sign[- ]off)\b/i, 'approval-chain'],
  [/\b(?:review|reviews|document|documents|extract)\b/i, 'document-review'],
];

/** The template that fits a request without a definition, by its words; else the general plan-and-execute graph. */
export function pickTemplate(input: string): string {
  return RULES.find(([pattern]) => pattern.test(input))?.[1] ?? PLAN_AND_EXECUTE;
}
