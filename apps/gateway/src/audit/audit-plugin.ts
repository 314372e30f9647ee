import type { ApolloServerPlugin } from '@apollo/server';
import { CONTEXT_HEADER, type TenantContext } from '@switchyard/contracts';
import type { ContextTokens, Logger } from '@switchyard/service-kit';

const GATEWAY: TenantContext = { tenantId: null, role: 'PLATFORM_ADMIN', keyId: null, subject: 'service:gateway' };

/**
 * Records every mutation after it was answered (who, what, when, outcome) in the tenants
 * service's append-only audit log. Argument values are never recorded: they may hold secrets.
 */
export function auditPlugin(tenantsUrl: string, tokens: ContextTokens, logger: Logger): ApolloServerPlugin<{ tenant: TenantContext }> {
  const endpoint = new URL('/internal/audit', tenantsUrl);
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ operation, operationName, response, contextValue }) {
          if (operation?.operation !== 'mutation' || !contextValue?.tenant) return;
          const errors = response.body.kind === 'single' ? (response.body.singleResult.errors ?? []) : [];
          const data = response.body.kind === 'single' ? response.body.singleResult.data : null;
          const fields = operation.selectionSet.selections.flatMap((selection) => (selection.kind === 'Field' ? [selection.name.value] : []));
          // An erased tenant keeps nothing, so its erasure is recorded in the platform's own log.
          const erased = fields.includes('eraseTenantData') && errors.length === 0;
          const record = {
            tenantId: erased ? null : contextValue.tenant.tenantId,
            actor: contextValue.tenant.subject,
            role: contextValue.tenant.role,
            operation: erased ? `eraseTenantData(${contextValue.tenant.tenantId})` : (operationName ?? '(anonymous)'),
            fields,
            outcome: errors.length === 0 ? 'ok' : data && Object.values(data).some((v) => v !== null) ? 'partial' : 'error',
            errorCodes: [...new Set(errors.map((e) => String(e.extensions?.code ?? 'UNKNOWN')))],
          };
          try {
            const answer = await fetch(endpoint, {
              method: 'POST',
              headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await tokens.sign(GATEWAY) },
              body: JSON.stringify(record),
              signal: AbortSignal.timeout(5000),
            });
            if (!answer.ok) logger.error({ status: answer.status, record }, 'audit record refused');
          } catch (error) {
            logger.error({ err: error, record }, 'audit record could not be written');
          }
        },
      };
    },
  };
}
