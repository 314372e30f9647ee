import { randomUUID } from 'node:crypto';
import {
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  type Role,
  type TenantContext,
} from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { hasRole, requireRole, requireTenant } from '@switchyard/service-kit';
import { fingerprint, hashSecret, keyPrefix, newApiKey, parseApiKey, verifySecret } from './api-key-secrets.ts';
import type { CredentialChanges } from './credential-changes.ts';
import { changeOverrides, effectiveLimits, planTable, PLANS, type EffectiveLimits, type LimitName, type Plan, type PlanLimits } from './plan-limits.ts';

export interface TenantSettings {
  allowedModels: string[];
  defaultModel: string | null;
  /** Pinned frameworks by kind of workflow, e.g. {"state_machine": "LANGGRAPH"}. */
  frameworkPreferences: Record<string, string>;
  /** What the tenant's runs leave in traces and logs; prompts are redacted unless keepPrompts (decision 021). */
  telemetry: TelemetrySettings;
}

export interface TelemetrySettings {
  keepPrompts: boolean;
}

export interface Branding {
  displayName: string | null;
  logoUrl: string | null;
  primaryColor: string | null;
  accentColor: string | null;
}

export interface TenantDoc {
  id: string;
  tenantId: string;
  name: string;
  status: 'ACTIVE' | 'SUSPENDED';
  plan?: string;
  region?: string;
  settings?: TenantSettings;
  branding?: Branding | null;
  /** Limits a platform admin set for this tenant instead of its plan's (decision 023). */
  limitOverrides?: Partial<PlanLimits>;
  createdAt: string;
}

export const DEFAULT_SETTINGS: TenantSettings = { allowedModels: [], defaultModel: null, frameworkPreferences: {}, telemetry: { keepPrompts: false } };
const COLOR = /^#[0-9a-fA-F]{6}$/;

export interface ApiKeyDoc {
  id: string;
  tenantId: string;
  name: string;
  role: Role;
  hash: string;
  createdAt: string;
  revokedAt: string | null;
  lastUsedAt: string | null;
  expiresAt: string | null;
}

/** Finds a key's owning tenant from its id, so authentication reads one partition, not all. */
interface KeyIndexDoc {
  id: string;
  tenantId: string;
  ownerTenantId: string;
}

const PLATFORM_PARTITION = '_platform';
const KEY_INDEX_PARTITION = '_keyindex';
const VERIFIED_CACHE_MS = 30_000;
const LAST_USED_RESOLUTION_MS = 60_000;

export class TenantManager {
  private readonly tenants: Collection<TenantDoc>;
  private readonly keys: Collection<ApiKeyDoc>;
  private readonly keyIndex: Collection<KeyIndexDoc>;
  /** fingerprint → key id, for keys whose slow hash was checked recently. */
  private readonly verified = new Map<string, { keyId: string; until: number }>();

  private readonly plans: Record<Plan, PlanLimits>;

  constructor(
    store: DocumentStore,
    teamLimits: PlanLimits = { requestsPerSecond: 50, burst: 100, runsPerMonth: 100_000, concurrentWorkflows: 200 },
    /** Where revocations, suspensions and limit changes are announced to the gateways that cache answers. */
    private readonly changes: CredentialChanges | null = null,
  ) {
    this.plans = planTable(teamLimits);
    this.tenants = store.collection<TenantDoc>('tenants', { indexes: ['createdAt'] });
    this.keys = store.collection<ApiKeyDoc>('api_keys', { indexes: ['createdAt'] });
    this.keyIndex = store.collection<KeyIndexDoc>('api_key_index');
  }

  async getTenant(context: TenantContext, id: string): Promise<TenantDoc | null> {
    if (context.role !== 'PLATFORM_ADMIN' && context.tenantId !== id) return null;
    return (await this.tenants.get(id, id))?.doc ?? null;
  }

  async createTenant(context: TenantContext, name: string, id: string = randomUUID(), options: { plan?: string | null; region?: string | null } = {}) {
    if (context.role !== 'PLATFORM_ADMIN') throw new ForbiddenError('createTenant is for platform admins only.');
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new BadUserInputError('Tenant name must be 1 to 200 characters.', { field: 'input.name' });
    const plan = options.plan ?? 'team';
    if (!(PLANS as readonly string[]).includes(plan)) throw new BadUserInputError(`input.plan must be one of ${PLANS.join(', ')}.`, { field: 'input.plan' });
    const region = options.region ?? 'westeurope';
    if (!/^[a-z0-9]{2,30}$/.test(region)) throw new BadUserInputError('input.region must be an Azure region name such as "westeurope".', { field: 'input.region' });
    const tenant: TenantDoc = { id, tenantId: id, name: trimmed, status: 'ACTIVE', plan, region, settings: DEFAULT_SETTINGS, branding: null, createdAt: new Date().toISOString() };
    await this.tenants.create(tenant);
    const { key, secret } = await this.issueKey(id, 'initial admin key', 'TENANT_ADMIN');
    return { tenant, apiKey: key, secret };
  }

  async listKeys(context: TenantContext): Promise<ApiKeyDoc[]> {
    requireRole(context, 'TENANT_ADMIN', 'Listing API keys');
    const tenantId = requireTenant(context, 'Listing API keys');
    const page = await this.keys.query(tenantId, { orderBy: [{ field: 'createdAt', direction: 'desc' }], first: 1000 });
    return page.items.map((item) => item.doc);
  }

  async createKey(context: TenantContext, name: string, role: Role, expiresAt: string | null = null) {
    requireRole(context, 'TENANT_ADMIN', 'Creating API keys');
    const tenantId = requireTenant(context, 'Creating API keys');
    if (role === 'PLATFORM_ADMIN') throw new ForbiddenError('A tenant key cannot have the PLATFORM_ADMIN role; pick TENANT_ADMIN, DEVELOPER or VIEWER.');
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 200) throw new BadUserInputError('Key name must be 1 to 200 characters.', { field: 'input.name' });
    if (expiresAt && Date.parse(expiresAt) <= Date.now()) throw new BadUserInputError('input.expiresAt is in the past; pick a future time or leave it out.', { field: 'input.expiresAt' });
    const { key, secret } = await this.issueKey(tenantId, trimmed, role, expiresAt);
    return { apiKey: key, secret };
  }

  /** A new secret with the same name, role and expiry; the old key is revoked at once. */
  async rotateKey(context: TenantContext, keyId: string) {
    requireRole(context, 'TENANT_ADMIN', 'Rotating API keys');
    const tenantId = requireTenant(context, 'Rotating API keys');
    const stored = await this.keys.get(tenantId, keyId);
    if (!stored || stored.doc.revokedAt) throw new NotFoundError('Active API key', keyId);
    const { key, secret } = await this.issueKey(tenantId, stored.doc.name, stored.doc.role, stored.doc.expiresAt);
    await this.revokeKey(context, keyId);
    return { apiKey: key, secret };
  }

  /** The limits that bind a tenant now: its plan's, with a platform admin's overrides. */
  limitsOf(tenant: Pick<TenantDoc, 'plan' | 'limitOverrides'>): EffectiveLimits {
    return effectiveLimits(this.plans, tenant.plan, tenant.limitOverrides);
  }

  /** PLATFORM_ADMIN: change a tenant's plan and override its limits (null: back to the plan's value). */
  async setLimits(context: TenantContext, id: string, input: { plan?: string | null } & Partial<Record<LimitName, number | null>>): Promise<TenantDoc> {
    if (context.role !== 'PLATFORM_ADMIN') throw new ForbiddenError('Plans and limits are set by platform admins; ask yours for a different plan or limit.');
    if (input.plan != null && !(PLANS as readonly string[]).includes(input.plan)) throw new BadUserInputError(`input.plan must be one of ${PLANS.join(', ')}.`, { field: 'input.plan' });
    changeOverrides(undefined, input); // refuse bad input before reading the tenant
    const changed = await this.changeTenant(id, (tenant) => ({ ...tenant, ...(input.plan ? { plan: input.plan } : {}), limitOverrides: changeOverrides(tenant.limitOverrides, input) }));
    await this.changes?.record({ tenantId: id });
    return changed;
  }

  async setStatus(context: TenantContext, id: string, status: TenantDoc['status']): Promise<TenantDoc> {
    if (context.role !== 'PLATFORM_ADMIN') throw new ForbiddenError('Suspending and reactivating tenants is for platform admins only.');
    const changed = await this.changeTenant(id, (tenant) => ({ ...tenant, status }));
    await this.changes?.record({ tenantId: id });
    return changed;
  }

  /** Remove the tenant and every key of it; its credentials stop working at once. */
  async deleteTenant(context: TenantContext, id: string): Promise<boolean> {
    if (context.role !== 'PLATFORM_ADMIN') throw new ForbiddenError('Deleting tenants is for platform admins only.');
    const keys = await this.keys.query(id, { first: 1000 });
    for (const { doc } of keys.items) await this.keyIndex.delete(KEY_INDEX_PARTITION, doc.id);
    this.verified.clear();
    await this.keys.deleteTenant(id);
    const deleted = await this.tenants.delete(id, id);
    await this.changes?.record({ tenantId: id });
    return deleted;
  }

  async updateSettings(context: TenantContext, input: Partial<TenantSettings>): Promise<TenantDoc> {
    requireRole(context, 'TENANT_ADMIN', 'Changing tenant settings');
    const tenantId = requireTenant(context, 'Changing tenant settings');
    if (input.allowedModels && (input.allowedModels.length > 100 || input.allowedModels.some((m) => !/^[\w.:-]{1,100}$/.test(m)))) {
      throw new BadUserInputError('input.allowedModels must be up to 100 model names (letters, digits, . _ : -).', { field: 'input.allowedModels' });
    }
    const frameworks = ['LANGGRAPH', 'CREWAI', 'AUTOGEN', 'HYBRID'];
    for (const [kind, framework] of Object.entries(input.frameworkPreferences ?? {})) {
      if (!frameworks.includes(framework)) throw new BadUserInputError(`input.frameworkPreferences.${kind} must be one of ${frameworks.join(', ')}.`, { field: `input.frameworkPreferences.${kind}` });
    }
    if (input.telemetry !== undefined && input.telemetry !== null && typeof input.telemetry.keepPrompts !== 'boolean') {
      throw new BadUserInputError('input.telemetry.keepPrompts must be true or false.', { field: 'input.telemetry.keepPrompts' });
    }
    return this.changeTenant(tenantId, (tenant) => {
      const settings = { ...DEFAULT_SETTINGS, ...tenant.settings, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined && v !== null)) };
      if (settings.defaultModel && settings.allowedModels.length > 0 && !settings.allowedModels.includes(settings.defaultModel)) {
        throw new BadUserInputError(`input.defaultModel "${settings.defaultModel}" is not among the allowed models.`, { field: 'input.defaultModel' });
      }
      return { ...tenant, settings };
    });
  }

  async setBranding(context: TenantContext, branding: Branding): Promise<TenantDoc> {
    requireRole(context, 'TENANT_ADMIN', 'Changing branding');
    const tenantId = requireTenant(context, 'Changing branding');
    for (const field of ['primaryColor', 'accentColor'] as const) {
      if (branding[field] && !COLOR.test(branding[field]!)) throw new BadUserInputError(`input.${field} must be a colour like "#1a2b3c".`, { field: `input.${field}` });
    }
    if (branding.logoUrl && !/^https:\/\/\S{1,2000}$/.test(branding.logoUrl)) throw new BadUserInputError('input.logoUrl must be an https URL.', { field: 'input.logoUrl' });
    if (branding.displayName && branding.displayName.length > 200) throw new BadUserInputError('input.displayName must be at most 200 characters.', { field: 'input.displayName' });
    return this.changeTenant(tenantId, (tenant) => ({ ...tenant, branding }));
  }

  private async changeTenant(id: string, change: (tenant: TenantDoc) => TenantDoc): Promise<TenantDoc> {
    for (let attempt = 0; attempt < 10; attempt++) {
      const stored = await this.tenants.get(id, id);
      if (!stored) throw new NotFoundError('Tenant', id);
      try {
        return (await this.tenants.replace(change(stored.doc), { ifMatch: stored.etag })).doc;
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
      }
    }
    throw new ConflictError(`Tenant ${id} is changing too fast; retry.`);
  }

  async revokeKey(context: TenantContext, keyId: string): Promise<ApiKeyDoc> {
    requireRole(context, 'TENANT_ADMIN', 'Revoking API keys');
    const tenantId = requireTenant(context, 'Revoking API keys');
    const stored = await this.keys.get(tenantId, keyId);
    if (!stored) throw new NotFoundError('API key', keyId);
    if (stored.doc.revokedAt) {
      // Announced again: a revocation whose announcement failed is retried by revoking again.
      await this.changes?.record({ keyId });
      return stored.doc;
    }
    const revoked = { ...stored.doc, revokedAt: new Date().toISOString() };
    await this.keys.replace(revoked, { ifMatch: stored.etag });
    for (const [print, entry] of this.verified) if (entry.keyId === keyId) this.verified.delete(print);
    await this.changes?.record({ keyId });
    return revoked;
  }

  /** Resolve a presented API key to a tenant context, or null when it is unknown, revoked or expired. */
  async authenticate(secret: string): Promise<TenantContext | null> {
    return (await this.authenticateWithLimits(secret))?.context ?? null;
  }

  /** As authenticate, with the limits of the key's tenant (null for platform keys), for the gateway's rate limit. */
  async authenticateWithLimits(secret: string): Promise<{ context: TenantContext; limits: EffectiveLimits | null; expiresAt: string | null } | null> {
    const parsed = parseApiKey(secret);
    if (!parsed) return null;
    const index = await this.keyIndex.get(KEY_INDEX_PARTITION, parsed.keyId);
    if (!index) return null;
    const stored = await this.keys.get(index.doc.ownerTenantId, parsed.keyId);
    if (!stored) return null;
    const key = stored.doc;
    const now = Date.now();
    if (key.revokedAt || (key.expiresAt && Date.parse(key.expiresAt) <= now)) return null;
    const print = fingerprint(secret);
    const cached = this.verified.get(print);
    if (!cached || cached.until < now || cached.keyId !== key.id) {
      if (!(await verifySecret(secret, key.hash))) return null;
      this.verified.set(print, { keyId: key.id, until: now + VERIFIED_CACHE_MS });
    }
    if (!key.lastUsedAt || now - Date.parse(key.lastUsedAt) > LAST_USED_RESOLUTION_MS) {
      // Best effort: a concurrent update of the same key wins and this one is dropped.
      await this.keys.replace({ ...key, lastUsedAt: new Date(now).toISOString() }, { ifMatch: stored.etag }).catch(() => undefined);
    }
    const tenantId = key.tenantId === PLATFORM_PARTITION ? null : key.tenantId;
    let limits: EffectiveLimits | null = null;
    if (tenantId) {
      const tenant = await this.tenants.get(tenantId, tenantId);
      if (!tenant || tenant.doc.status !== 'ACTIVE') return null;
      limits = this.limitsOf(tenant.doc);
    }
    return { context: { tenantId, role: key.role, keyId: key.id, subject: `key:${key.id}` }, limits, expiresAt: key.expiresAt };
  }

  /** Make sure the dev bootstrap credentials exist (idempotent; the secrets come from the launcher). */
  async ensureBootstrap(adminSecret: string | undefined, devSecret: string | undefined, devTenantId: string): Promise<void> {
    if (adminSecret) await this.ensureKey(PLATFORM_PARTITION, adminSecret, 'platform admin (dev)', 'PLATFORM_ADMIN');
    if (devSecret) {
      const existing = await this.tenants.get(devTenantId, devTenantId);
      if (!existing) {
        await this.tenants
          .create({ id: devTenantId, tenantId: devTenantId, name: 'Dev tenant', status: 'ACTIVE', createdAt: new Date().toISOString() })
          .catch((error: unknown) => {
            if (!(error instanceof ConflictError)) throw error;
          });
      }
      await this.ensureKey(devTenantId, devSecret, 'dev admin key', 'TENANT_ADMIN');
    }
  }

  canSee(context: TenantContext, tenantId: string): boolean {
    return hasRole(context, 'PLATFORM_ADMIN') || context.tenantId === tenantId;
  }

  private async ensureKey(ownerTenantId: string, secret: string, name: string, role: Role): Promise<void> {
    const parsed = parseApiKey(secret);
    if (!parsed) throw new Error(`Bootstrap key for ${name} is not of the form sy_<id>_<secret>`);
    const existing = await this.keys.get(ownerTenantId, parsed.keyId);
    if (existing && (await verifySecret(secret, existing.doc.hash))) return;
    try {
      await this.writeKey(ownerTenantId, parsed.keyId, secret, name, role, existing?.etag);
    } catch (error) {
      // Another replica starting at the same time wrote it first: fine when it wrote this secret.
      if (!(error instanceof ConflictError || error instanceof PreconditionFailedError)) throw error;
      const written = await this.keys.get(ownerTenantId, parsed.keyId);
      if (!written || !(await verifySecret(secret, written.doc.hash))) throw error;
    }
  }

  private async issueKey(ownerTenantId: string, name: string, role: Role, expiresAt: string | null = null) {
    const { keyId, secret } = newApiKey();
    const key = await this.writeKey(ownerTenantId, keyId, secret, name, role, undefined, expiresAt);
    return { key, secret };
  }

  private async writeKey(ownerTenantId: string, keyId: string, secret: string, name: string, role: Role, ifMatch?: string, expiresAt: string | null = null): Promise<ApiKeyDoc> {
    const key: ApiKeyDoc = {
      id: keyId,
      tenantId: ownerTenantId,
      name,
      role,
      hash: await hashSecret(secret),
      createdAt: new Date().toISOString(),
      revokedAt: null,
      lastUsedAt: null,
      expiresAt,
    };
    await this.keyIndex.upsert({ id: keyId, tenantId: KEY_INDEX_PARTITION, ownerTenantId });
    if (ifMatch) await this.keys.replace(key, { ifMatch });
    else await this.keys.upsert(key);
    return key;
  }
}

export function toApiKey(key: ApiKeyDoc) {
  return { ...key, prefix: keyPrefix(key.id) };
}
