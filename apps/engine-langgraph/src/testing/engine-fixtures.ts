import { initialUniversalState } from '@switchyard/contracts';
import type { EngineEvent, EngineRunResult, TenantContext, UniversalAgentState } from '@switchyard/contracts';
import { createLogger } from '@switchyard/service-kit';
import type { LangGraphEngine } from '../runtime/langgraph-engine.ts';

/** Fixtures for engine tests: a universal state and a run that records its events. */
export const testTenant: TenantContext = { tenantId: 'acme', role: 'DEVELOPER', keyId: null, subject: 'service:workflows' };
const logger = createLogger('test', 'silent');

export function universalState(workflowId: string, input: string, tenantId = testTenant.tenantId!): UniversalAgentState {
  return initialUniversalState({ tenantId, workflowId, userId: 'u', framework: 'LANGGRAPH', input });
}

export interface RecordedRun {
  result: EngineRunResult;
  events: EngineEvent[];
}

/**
 * Post one run to the engine as the orchestrator would. `abortWhen` aborts the run (as a crash or
 * a dropped connection would) on the next turn of the event loop after the first event it returns
 * true for; the run's rejection is then swallowed and `aborted` is true.
 */
export async function runOnce(
  engine: LangGraphEngine,
  workflowId: string,
  input: string,
  options: { definition?: unknown; resume?: unknown; abortWhen?: (event: EngineEvent) => boolean; tenantId?: string } = {},
): Promise<RecordedRun & { aborted: boolean }> {
  const controller = new AbortController();
  const events: EngineEvent[] = [];
  const tenant = { ...testTenant, tenantId: options.tenantId ?? testTenant.tenantId };
  try {
    const result = await engine.run(
      { state: universalState(workflowId, input, tenant.tenantId!), definition: options.definition ?? null, ...(options.resume !== undefined ? { resume: options.resume } : {}) },
      {
        tenant,
        emit: (event) => {
          events.push(event);
          if (!controller.signal.aborted && options.abortWhen?.(event)) setTimeout(() => controller.abort(new Error('simulated crash')), 0);
        },
        signal: controller.signal,
        logger,
      },
    );
    return { result, events, aborted: controller.signal.aborted };
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    return { result: undefined as unknown as EngineRunResult, events, aborted: true };
  }
}

export const modelCalls = (events: EngineEvent[], step?: string) => events.filter((e) => e.type === 'MODEL_CALL' && (step === undefined || e.step === step));
export const stepsStarted = (events: EngineEvent[]) => events.filter((e) => e.type === 'STEP_STARTED').map((e) => e.step);
