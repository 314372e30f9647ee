import type { GraphDefinitionInput } from '../../definitions/graph-definition.ts';

/** Claims above this amount wait for an adjuster's approval. */
export const ADJUSTER_THRESHOLD_USD = 25_000;

/**
 * The blueprint's example: extract the claim number and amount (structured output), check
 * coverage, then a claim above $25,000 waits for an adjuster (resume with {"approved": true|false})
 * and ends in a payout or a denial; a smaller claim goes straight to the payout. Either way the
 * claimant's letter is written last (kept in state; the output is the decision itself).
 */
export const insuranceClaim: GraphDefinitionInput = {
  name: 'insurance-claim',
  description: 'Extract a claim, check coverage, route large claims to an adjuster, then pay out or deny.',
  state: {
    claimNumber: { reducer: 'replace', default: null },
    amount: { reducer: 'replace', default: 0 },
    coverage: { reducer: 'replace', default: null },
    decision: { reducer: 'replace', default: null },
    deductible: { reducer: 'replace', default: 500 },
    payout: { reducer: 'replace', default: null },
    outcome: { reducer: 'replace', default: null },
    letter: { reducer: 'replace', default: null },
    summary: { reducer: 'replace', default: null },
  },
  entry: 'extract_claim',
  nodes: {
    extract_claim: {
      kind: 'model',
      system: 'You extract insurance claim data. Answer with JSON only.',
      prompt: 'Extract the claim number and the claimed amount in US dollars from this request:\n{{input}}',
      temperature: 0,
      schema: {
        type: 'object',
        properties: { claimNumber: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
        required: ['claimNumber', 'amount'],
        additionalProperties: false,
      },
      retry: { maxAttempts: 3, backoffMs: 200 },
      next: 'check_coverage',
    },
    check_coverage: {
      kind: 'model',
      system: 'You check insurance policies. Answer with JSON only.',
      prompt: 'Is claim #{{claimNumber}} for ${{amount}} covered by the policy? Request: {{input}}',
      temperature: 0,
      schema: {
        type: 'object',
        properties: { covered: { type: 'boolean' }, reason: { type: 'string' } },
        required: ['covered', 'reason'],
        additionalProperties: false,
      },
      writeTo: 'coverage',
      retry: { maxAttempts: 3, backoffMs: 200 },
      next: 'route_claim',
    },
    route_claim: {
      kind: 'router',
      routes: [
        { when: { key: 'coverage.covered', op: 'eq', value: false }, to: 'deny' },
        { when: { key: 'amount', op: 'gt', value: ADJUSTER_THRESHOLD_USD }, to: 'adjuster_review' },
      ],
      default: 'compute_payout',
    },
    adjuster_review: {
      kind: 'human',
      prompt: 'Claim #{{claimNumber}} asks for ${{amount}}, above the $25,000 an adjuster must approve. Approve it? Answer {"approved": true} or {"approved": false}.',
      answerSchema: {
        type: 'object',
        properties: { approved: { type: 'boolean' }, note: { type: 'string' } },
        required: ['approved'],
      },
      show: ['claimNumber', 'amount', 'coverage'],
      writeTo: 'decision',
      next: { routes: [{ when: { key: 'decision.approved', op: 'eq', value: true }, to: 'compute_payout' }], default: 'deny' },
    },
    compute_payout: {
      kind: 'tool',
      tool: 'calculator',
      args: { expression: 'max({{amount}} - {{deductible}}, 0)' },
      writeTo: 'payout',
      next: 'pay_out',
    },
    pay_out: {
      kind: 'set',
      values: { outcome: 'payout', summary: 'Payout of ${{payout}} for claim #{{claimNumber}} (claimed ${{amount}}, deductible ${{deductible}}).' },
      next: 'write_letter',
    },
    deny: {
      kind: 'set',
      values: { outcome: 'denied', summary: 'Claim #{{claimNumber}} for ${{amount}} denied.' },
      next: 'write_letter',
    },
    write_letter: {
      kind: 'model',
      system: 'You write short, friendly letters to insurance claimants.',
      prompt: 'Write the letter telling the claimant the decision. Decision: {{summary}} Adjuster note: {{decision.note}}',
      temperature: 0.3,
      maxTokens: 400,
      writeTo: 'letter',
      retry: { maxAttempts: 3, backoffMs: 200 },
      next: 'END',
    },
  },
  output: '{{summary}}',
};
