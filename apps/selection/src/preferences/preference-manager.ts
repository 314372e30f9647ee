import { BadUserInputError, Framework, WorkflowType, type TenantContext } from '@switchyard/contracts';
import type { Collection, DocumentStore } from '@switchyard/store';
import { requireRole, requireTenant } from '@switchyard/service-kit';

export interface FrameworkPreference {
  workflowType: string;
  framework: Framework;
  updatedAt: string;
}

interface PreferenceDoc extends FrameworkPreference {
  id: string;
  tenantId: string;
  updatedBy: string;
}

interface SelectionSettingsDoc {
  id: 'selection';
  tenantId: string;
  explorationRate: number;
}

/** A pin that applies to one request, and why. */
export interface AppliedPin {
  preference: FrameworkPreference;
  reason: string;
}

const TYPE_OF: Record<Framework, WorkflowType> = {
  LANGGRAPH: 'state_machine',
  CREWAI: 'multi_agent_team',
  AUTOGEN: 'conversational',
  HYBRID: 'hybrid',
};
const MAX_PREFERENCES = 200;

/** The blueprint's workflow type for the shape of work a framework runs. */
export function workflowTypeOf(framework: Framework): WorkflowType {
  return TYPE_OF[framework];
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Per-tenant choices that bend the recommender: framework pins by workflow type or keyword, and the
 * exploration rate. TENANT_ADMIN changes them; VIEWER reads them.
 */
export class PreferenceManager {
  private readonly preferences: Collection<PreferenceDoc>;
  private readonly settings: Collection<SelectionSettingsDoc>;
  constructor(store: DocumentStore) {
    this.preferences = store.collection<PreferenceDoc>('framework-preferences');
    this.settings = store.collection<SelectionSettingsDoc>('selection-settings');
  }

  async setPreference(context: TenantContext, input: { workflowType: string; framework: string }): Promise<FrameworkPreference> {
    requireRole(context, 'TENANT_ADMIN', 'setFrameworkPreference');
    const tenantId = requireTenant(context, 'setFrameworkPreference');
    const workflowType = input.workflowType.trim().toLowerCase().replace(/\s+/g, ' ');
    if (!workflowType || workflowType.length > 64) {
      throw new BadUserInputError('input.workflowType must be 1 to 64 characters: a workflow type (state_machine, multi_agent_team, conversational, hybrid) or a keyword.', { field: 'input.workflowType' });
    }
    const framework = Framework.safeParse(input.framework);
    if (!framework.success) throw new BadUserInputError(`input.framework must be one of ${Framework.options.join(', ')}.`, { field: 'input.framework' });
    const existing = await this.preferences.get(tenantId, workflowType);
    if (!existing && (await this.preferences.count(tenantId)) >= MAX_PREFERENCES) {
      throw new BadUserInputError(`A tenant can keep at most ${MAX_PREFERENCES} framework preferences; change an existing one instead.`, { field: 'input.workflowType' });
    }
    const doc: PreferenceDoc = { id: workflowType, tenantId, workflowType, framework: framework.data, updatedAt: new Date().toISOString(), updatedBy: context.subject };
    await this.preferences.upsert(doc);
    return { workflowType, framework: doc.framework, updatedAt: doc.updatedAt };
  }

  async list(context: TenantContext): Promise<FrameworkPreference[]> {
    requireRole(context, 'VIEWER', 'frameworkPreferences');
    return this.all(requireTenant(context, 'frameworkPreferences'));
  }

  /** The pin for this request, if any: the longest matching keyword first, then the predicted workflow type. */
  async pinFor(tenantId: string, description: string, predicted: Framework): Promise<AppliedPin | null> {
    const preferences = await this.all(tenantId);
    if (!preferences.length) return null;
    const text = description.toLowerCase();
    const types = new Set<string>(WorkflowType.options);
    const keyword = preferences
      .filter((p) => !types.has(p.workflowType) && new RegExp(`(^|[^a-z0-9])${escapeRegExp(p.workflowType)}($|[^a-z0-9])`).test(text))
      .sort((a, b) => b.workflowType.length - a.workflowType.length || a.workflowType.localeCompare(b.workflowType))[0];
    if (keyword) return { preference: keyword, reason: `the request mentions "${keyword.workflowType}"` };
    const byType = preferences.find((p) => p.workflowType === workflowTypeOf(predicted));
    return byType ? { preference: byType, reason: `the predicted workflow type is ${byType.workflowType}` } : null;
  }

  async setExplorationRate(context: TenantContext, rate: number): Promise<number> {
    requireRole(context, 'TENANT_ADMIN', 'setExplorationRate');
    const tenantId = requireTenant(context, 'setExplorationRate');
    if (!Number.isFinite(rate) || rate < 0 || rate > 1) throw new BadUserInputError('rate must be between 0 (exploration off) and 1.', { field: 'rate' });
    await this.settings.upsert({ id: 'selection', tenantId, explorationRate: rate });
    return rate;
  }

  async explorationRate(tenantId: string): Promise<number> {
    return (await this.settings.get(tenantId, 'selection'))?.doc.explorationRate ?? 0;
  }

  private async all(tenantId: string): Promise<FrameworkPreference[]> {
    const page = await this.preferences.query(tenantId, { first: MAX_PREFERENCES });
    return page.items.map(({ doc }) => ({ workflowType: doc.workflowType, framework: doc.framework, updatedAt: doc.updatedAt }));
  }
}
