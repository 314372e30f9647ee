import type { Logger, ServiceClient } from '@switchyard/service-kit';
import type { WorkflowDoc } from './workflow-documents.ts';

export type TelemetrySettings = NonNullable<WorkflowDoc['telemetry']>;

/** Redaction: what a run gets when the tenant did not opt in, or its choice cannot be read. */
export const REDACTED_TELEMETRY: TelemetrySettings = { keepPrompts: false };

/**
 * A tenant's telemetry settings (may its runs' prompts be kept in traces and logs?), asked of the
 * tenants service once per started workflow and never cached, so a change applies to every workflow
 * started after it, on every replica. While the tenants service cannot answer, prompts are redacted.
 */
export class TenantTelemetry {
  constructor(
    private readonly tenants: ServiceClient,
    private readonly logger: Logger,
  ) {}

  async of(tenantId: string): Promise<TelemetrySettings> {
    try {
      const { tenant } = await this.tenants.request<{ tenant: { settings: { telemetry: TelemetrySettings } } | null }>(
        'query TenantTelemetry($id: ID!) { tenant(id: $id) { settings { telemetry { keepPrompts } } } }',
        { id: tenantId },
        { tenantId, role: 'VIEWER', keyId: null, subject: 'service:workflows' },
      );
      return tenant?.settings.telemetry.keepPrompts === true ? { keepPrompts: true } : REDACTED_TELEMETRY;
    } catch (error) {
      this.logger.warn({ err: error, tenantId }, 'tenant telemetry settings unavailable; the workflow runs with prompts redacted');
      return REDACTED_TELEMETRY;
    }
  }
}
