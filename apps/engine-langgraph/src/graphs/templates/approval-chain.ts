import type { GraphDefinitionInput } from '../../definitions/graph-definition.ts';

/** Amounts above these need a director's, and then also a CFO's, approval. */
export const DIRECTOR_THRESHOLD_USD = 10_000;
export const CFO_THRESHOLD_USD = 50_000;

const approval = { type: 'object', properties: { approved: { type: 'boolean' }, note: { type: 'string' } }, required: ['approved'] };

/**
 * Amount-based multi-level approval: the manager always, then the director above $10,000, then the
 * CFO above $50,000. Each level answers {"approved": true|false}; any rejection ends the chain.
 */
export const approvalChain: GraphDefinitionInput = {
  name: 'approval-chain',
  description: 'Manager, then director above $10,000, then CFO above $50,000; any rejection ends it.',
  state: {
    request: { reducer: 'replace', default: null },
    amount: { reducer: 'replace', default: 0 },
    approvals: { reducer: 'append' },
    lastDecision: { reducer: 'replace', default: null },
    outcome: { reducer: 'replace', default: null },
    summary: { reducer: 'replace', default: null },
  },
  entry: 'extract_request',
  nodes: {
    extract_request: {
      kind: 'model',
      system: 'You read purchase and spending requests. Answer with JSON only.',
      prompt: 'What is requested, and for what amount in US dollars?\n{{input}}',
      temperature: 0,
      schema: {
        type: 'object',
        properties: { request: { type: 'string' }, amount: { type: 'number', minimum: 0 } },
        required: ['request', 'amount'],
        additionalProperties: false,
      },
      retry: { maxAttempts: 3, backoffMs: 200 },
      next: 'manager_approval',
    },
    manager_approval: {
      kind: 'human',
      prompt: 'Manager: approve "{{request}}" for ${{amount}}? Answer {"approved": true|false}.',
      answerSchema: approval,
      show: ['request', 'amount'],
      writeTo: 'lastDecision',
      next: 'record_manager',
    },
    record_manager: {
      kind: 'set',
      values: { approvals: { level: 'manager', approved: '{{lastDecision.approved}}', note: '{{lastDecision.note}}' } },
      next: {
        routes: [
          { when: { key: 'lastDecision.approved', op: 'ne', value: true }, to: 'rejected' },
          { when: { key: 'amount', op: 'gt', value: DIRECTOR_THRESHOLD_USD }, to: 'director_approval' },
        ],
        default: 'approved',
      },
    },
    director_approval: {
      kind: 'human',
      prompt: 'Director: approve "{{request}}" for ${{amount}} (above $10,000; the manager approved)? Answer {"approved": true|false}.',
      answerSchema: approval,
      show: ['request', 'amount', 'approvals'],
      writeTo: 'lastDecision',
      next: 'record_director',
    },
    record_director: {
      kind: 'set',
      values: { approvals: { level: 'director', approved: '{{lastDecision.approved}}', note: '{{lastDecision.note}}' } },
      next: {
        routes: [
          { when: { key: 'lastDecision.approved', op: 'ne', value: true }, to: 'rejected' },
          { when: { key: 'amount', op: 'gt', value: CFO_THRESHOLD_USD }, to: 'cfo_approval' },
        ],
        default: 'approved',
      },
    },
    cfo_approval: {
      kind: 'human',
      prompt: 'CFO: approve "{{request}}" for ${{amount}} (above $50,000; manager and director approved)? Answer {"approved": true|false}.',
      answerSchema: approval,
      show: ['request', 'amount', 'approvals'],
      writeTo: 'lastDecision',
      next: 'record_cfo',
    },
    record_cfo: {
      kind: 'set',
      values: { approvals: { level: 'cfo', approved: '{{lastDecision.approved}}', note: '{{lastDecision.note}}' } },
      next: { routes: [{ when: { key: 'lastDecision.approved', op: 'ne', value: true }, to: 'rejected' }], default: 'approved' },
    },
    approved: {
      kind: 'set',
      values: { outcome: 'approved', summary: 'Approved: "{{request}}" for ${{amount}}.' },
      next: 'END',
    },
    rejected: {
      kind: 'set',
      values: { outcome: 'rejected', summary: 'Rejected: "{{request}}" for ${{amount}}.' },
      next: 'END',
    },
  },
  output: '{{summary}} Approvals: {{approvals}}',
};
