import { CONTEXT_HEADER, ModelCallData } from '@switchyard/contracts';
import type { ContextTokens, Logger, ServiceEndpoints } from '@switchyard/service-kit';
import type { WorkflowEventRecord } from '@switchyard/contracts';

const ATTEMPTS = 5;

/**
 * Sends every stored MODEL_CALL event to billing, which records each call once by its id; so
 * sending again after a failure (or a replayed event) can never count a call twice.
 */
export class UsageForwarder {
  constructor(
    private readonly billing: ServiceEndpoints,
    private readonly tokens: ContextTokens,
    private readonly logger: Logger,
  ) {}

  forward(event: WorkflowEventRecord): void {
    if (event.type !== 'MODEL_CALL') return;
    const data = ModelCallData.safeParse(event.data);
    if (!data.success) {
      this.logger.warn({ workflowId: event.workflowId, sequence: event.sequence }, 'MODEL_CALL event without usage data; not metered');
      return;
    }
    const body = {
      callId: data.data.callId,
      workflowId: event.workflowId,
      engine: event.framework,
      agent: event.agent ?? null,
      step: event.step ?? null,
      model: data.data.model,
      inputTokens: data.data.usage.input,
      outputTokens: data.data.usage.output,
      cachedTokens: data.data.usage.cached ?? 0,
      latencyMs: data.data.latencyMs,
      at: event.at,
    };
    void this.send(event.tenantId, body);
  }

  private async send(tenantId: string, body: Record<string, unknown>): Promise<void> {
    const context = { tenantId, role: 'DEVELOPER' as const, keyId: null, subject: 'service:workflows' };
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const response = await this.billing.fetch('/internal/usage', {
          method: 'POST',
          headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(context) },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(5000),
          // Billing records each call once by its id.
          idempotent: true,
        });
        if (response.ok) return;
        if (response.status < 500) {
          this.logger.error({ status: response.status, body }, 'billing refused a usage record');
          return;
        }
      } catch {
        // Billing unreachable: try again with backoff.
      }
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
    this.logger.error({ body }, 'usage record could not be delivered to billing');
  }
}

