import type { GraphDefinitionInput } from '../../definitions/graph-definition.ts';

/** Fields extracted with less confidence than this go to a human. */
export const CONFIDENCE_THRESHOLD = 0.8;

/**
 * Extract a document's fields with confidences, verify each field in parallel (a fan-out with one
 * model call per field, joined into a list), send the low-confidence ones to a human for
 * correction, then write the record.
 */
export const documentReview: GraphDefinitionInput = {
  name: 'document-review',
  description: 'Extract fields with confidences, verify them in parallel, have a human correct low-confidence ones, write the record.',
  state: {
    documentType: { reducer: 'replace', default: null },
    fields: { reducer: 'replace', default: [] },
    verifications: { reducer: 'append' },
    lowConfidence: { reducer: 'replace', default: [] },
    corrections: { reducer: 'replace', default: null },
    record: { reducer: 'merge' },
  },
  entry: 'extract_fields',
  nodes: {
    extract_fields: {
      kind: 'model',
      system: 'You extract fields from business documents, each with your confidence between 0 and 1. Answer with JSON only.',
      prompt: 'Extract the document type and its key fields from:\n{{input}}',
      temperature: 0,
      schema: {
        type: 'object',
        properties: {
          documentType: { type: 'string' },
          fields: {
            type: 'array',
            minItems: 1,
            maxItems: 10,
            items: {
              type: 'object',
              properties: { name: { type: 'string' }, value: { type: 'string' }, confidence: { type: 'number', minimum: 0, maximum: 1 } },
              required: ['name', 'value', 'confidence'],
            },
          },
        },
        required: ['documentType', 'fields'],
      },
      retry: { maxAttempts: 3, backoffMs: 200 },
      next: 'verify_fields',
    },
    verify_fields: { kind: 'fanout', over: 'fields', to: 'verify_field', as: 'field', join: 'find_low_confidence' },
    verify_field: {
      kind: 'model',
      system: 'You double-check one extracted field against the document and say briefly whether it looks right.',
      prompt: 'Document: {{input}}\nField {{index}}: {{field.name}} = {{field.value}} (confidence {{field.confidence}})',
      temperature: 0,
      maxTokens: 120,
      writeTo: 'verifications',
    },
    find_low_confidence: {
      kind: 'tool',
      tool: 'filter_list',
      args: { items: '{{fields}}', field: 'confidence', op: 'lt', value: CONFIDENCE_THRESHOLD },
      writeTo: 'lowConfidence',
      next: { routes: [{ when: { key: 'lowConfidence.length', op: 'gt', value: 0 }, to: 'human_review' }], default: 'write_record' },
    },
    human_review: {
      kind: 'human',
      prompt: 'Some fields were extracted with low confidence: {{lowConfidence}}. Confirm or correct them: answer {"corrections": {"<field name>": "<value>"}} (an empty object confirms them).',
      answerSchema: { type: 'object', properties: { corrections: { type: 'object', additionalProperties: { type: 'string' } } }, required: ['corrections'] },
      show: ['documentType', 'lowConfidence'],
      writeTo: 'corrections',
      next: 'write_record',
    },
    write_record: {
      kind: 'set',
      values: { record: { documentType: '{{documentType}}', fields: '{{fields}}', corrections: '{{corrections.corrections}}', reviewedByHuman: '{{lowConfidence.length}}' } },
      next: 'END',
    },
  },
  output: 'Recorded {{documentType}}: {{record}}',
};
