import { ErrorCode, SwitchyardError, type TenantContext } from '@switchyard/contracts';

/** A tenant's model settings (tenants service): the models its runs may use, and the one they use unless a definition names another. */
export interface ModelSettings {
  allowedModels: string[];
  defaultModel: string | null;
}

/**
 * The model a call of a tenant's run uses. A call that names no model (the engine's default) gets
 * the tenant's default model, or else the first allowed model when the engine's default is not
 * allowed; a call that names a model (a graph node's, an agent's) keeps it only if the tenant
 * allows it, and is refused with FORBIDDEN otherwise. An empty allowed list allows every model.
 */
export function chooseModel(settings: ModelSettings, requested: string, named: boolean): string {
  const allowed = settings.allowedModels;
  if (named) {
    if (allowed.length > 0 && !allowed.includes(requested)) {
      throw new SwitchyardError(
        ErrorCode.FORBIDDEN,
        `The model "${requested}" is not among this tenant's allowed models (${allowed.join(', ')}); name one of them in the definition, or a tenant admin can allow it with updateTenantSettings.`,
        { model: requested, allowedModels: allowed },
      );
    }
    return requested;
  }
  if (settings.defaultModel) return settings.defaultModel;
  return allowed.length > 0 && !allowed.includes(requested) ? allowed[0]! : requested;
}

/**
 * Tenants' model settings, read from the tenants service and kept for `ttlMs` (a change binds new
 * calls within that time), one request at a time per tenant; while the tenants service cannot be
 * reached, the settings read last are used.
 */
export class ModelSettingsCache {
  private readonly cached = new Map<string, { settings: ModelSettings; until: number }>();
  private readonly inFlight = new Map<string, Promise<ModelSettings>>();

  constructor(
    private readonly read: (context: TenantContext) => Promise<ModelSettings>,
    private readonly ttlMs = 5000,
  ) {}

  async of(context: TenantContext & { tenantId: string }): Promise<ModelSettings> {
    const hit = this.cached.get(context.tenantId);
    if (hit && hit.until > Date.now()) return hit.settings;
    let pending = this.inFlight.get(context.tenantId);
    if (!pending) {
      pending = this.read(context)
        .then(
          (settings) => {
            this.cached.set(context.tenantId, { settings, until: Date.now() + this.ttlMs });
            return settings;
          },
          (error: unknown) => {
            // The tenants service is down for a moment: what was read last still binds the calls.
            if (hit) return hit.settings;
            throw error;
          },
        )
        .finally(() => this.inFlight.delete(context.tenantId));
      this.inFlight.set(context.tenantId, pending);
    }
    return pending;
  }
}
