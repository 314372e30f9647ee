import { BadUserInputError, NotFoundError, UnavailableError, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant, type EnvelopeEncryption, type SealedSecret } from '@switchyard/service-kit';

interface SecretDoc {
  id: string;
  tenantId: string;
  integration: string;
  name: string;
  sealed: SealedSecret;
  updatedAt: string;
}

const NAME = /^[a-z][a-z0-9_-]{0,63}$/;

/**
 * A tenant's integration secrets (Slack webhooks, Jira and Salesforce tokens, MCP credentials),
 * encrypted at rest with envelope encryption and never returned through the API: only the
 * platform's own services read them back, to call the integration.
 */
export class IntegrationSecrets {
  private readonly secrets: Collection<SecretDoc>;
  constructor(
    store: DocumentStore,
    private readonly box: EnvelopeEncryption | null,
  ) {
    this.secrets = store.collection<SecretDoc>('integration_secrets', { indexes: ['integration'] });
  }

  async set(context: TenantContext, input: { integration: string; name: string; value: string }) {
    requireRole(context, 'TENANT_ADMIN', 'setIntegrationSecret');
    const tenantId = requireTenant(context, 'setIntegrationSecret');
    if (!this.box) throw new UnavailableError('Integration secrets are not configured on this deployment: set SWITCHYARD_MASTER_KEY or KEY_VAULT_KEY_ID.');
    for (const field of ['integration', 'name'] as const) {
      if (!NAME.test(input[field])) throw new BadUserInputError(`input.${field} must be lowercase letters, digits, _ or -, starting with a letter.`, { field: `input.${field}` });
    }
    if (!input.value || input.value.length > 16_384) throw new BadUserInputError('input.value must be 1 to 16384 characters.', { field: 'input.value' });
    const doc: SecretDoc = {
      id: `${input.integration}:${input.name}`,
      tenantId,
      integration: input.integration,
      name: input.name,
      sealed: await this.box.seal(input.value, `${tenantId}/${input.integration}/${input.name}`),
      updatedAt: new Date().toISOString(),
    };
    await this.secrets.upsert(doc);
    return { integration: doc.integration, name: doc.name, updatedAt: doc.updatedAt };
  }

  async list(context: TenantContext) {
    requireRole(context, 'TENANT_ADMIN', 'Listing integration secrets');
    const tenantId = requireTenant(context, 'Listing integration secrets');
    const page = await this.secrets.query(tenantId, { first: 1000 });
    return page.items.map(({ doc }) => ({ integration: doc.integration, name: doc.name, updatedAt: doc.updatedAt }));
  }

  async delete(context: TenantContext, integration: string, name: string): Promise<boolean> {
    requireRole(context, 'TENANT_ADMIN', 'deleteIntegrationSecret');
    const tenantId = requireTenant(context, 'deleteIntegrationSecret');
    return this.secrets.delete(tenantId, `${integration}:${name}`);
  }

  /** For platform services only: the secret in clear, to call the integration. */
  async reveal(tenantId: string, integration: string, name: string): Promise<string> {
    if (!this.box) throw new UnavailableError('Integration secrets are not configured on this deployment.');
    const stored = await this.secrets.get(tenantId, `${integration}:${name}`);
    if (!stored) throw new NotFoundError('Integration secret', `${integration}/${name}`);
    return this.box.open(stored.doc.sealed, `${tenantId}/${integration}/${name}`);
  }
}
