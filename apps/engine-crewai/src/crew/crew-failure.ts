/**
 * An expected way for a crew to fail (bad definition, a delegation loop, a guardrail that never passes,
 * an agent out of time): the engine returns FAILED with this code and message instead of crashing.
 */
export class CrewFailure extends Error {
  constructor(
    readonly code:
      | 'BAD_DEFINITION'
      | 'DELEGATION_LOOP'
      | 'DELEGATION_LIMIT'
      | 'MANAGER_DID_NOT_DELEGATE'
      | 'GUARDRAIL_FAILED'
      | 'OUTPUT_SCHEMA_FAILED'
      | 'AGENT_TIMEOUT'
      | 'SUBWORKFLOW_UNAVAILABLE'
      | 'SUBWORKFLOW_FAILED',
    message: string,
  ) {
    super(message);
    this.name = 'CrewFailure';
  }
}
