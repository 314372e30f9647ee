import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
import type { TenantContext } from '@switchyard/contracts';
import type { AuditQueue } from './audit-queue.ts';

/** Operations that read or remove audit entries: they wait until the records queued before them are written. */
const READS_AUDIT_LOG = new Set(['auditLog', 'exportTenantData', 'eraseTenantData']);
const FLUSH_BEFORE_READ_MS = 5000;

function topLevelFields(operation: OperationDefinitionNode): string[] {
  return operation.selectionSet.selections.flatMap((selection) => (selection.kind === 'Field' ? [selection.name.value] : []));
}

/**
 * Records every mutation after it was answered (who, what, when, outcome) in the tenants
 * service's append-only audit log. Argument values are never recorded: they may hold secrets.
 * The response does not wait for the write (the queue writes it, with retries); a request that
 * reads the audit log, exports or erases a tenant waits for the records queued before it, so a
 * client sees its own earlier mutations there and an erasure leaves no record written after it.
 */
export function auditPlugin(queue: AuditQueue): ApolloServerPlugin<{ tenant: TenantContext }> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (queue.pending > 0 && operation && topLevelFields(operation).some((field) => READS_AUDIT_LOG.has(field))) await queue.flush(FLUSH_BEFORE_READ_MS);
        },
        async willSendResponse({ operation, operationName, response, contextValue }) {
          if (operation?.operation !== 'mutation' || !contextValue?.tenant) return;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const data = response.body.kind === 'single' ? response.body.singleResult.data : null;
          const fields = topLevelFields(operation);
          // An erased tenant keeps nothing, so its erasure is recorded in the platform's own log.
          const erased = fields.includes('eraseTenantData') && errors.length === 0;
          queue.add({
            tenantId: erased ? null : contextValue.tenant.tenantId,
            actor: contextValue.tenant.subject,
            role: contextValue.tenant.role,
            operation: erased ? `eraseTenantData(${contextValue.tenant.tenantId})` : (operationName ?? '(anonymous)'),
            fields,
            outcome: errors.length === 0 ? 'ok' : data && Object.values(data).some((v) => v !== null) ? 'partial' : 'error',
            errorCodes: [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))],
            at: new Date().toISOString(),
          });
        },
      };
    },
  };
}
