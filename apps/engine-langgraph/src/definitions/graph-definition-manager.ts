import { randomUUID } from 'node:crypto';
import { BadUserInputError, NotFoundError, type TenantContext } from '@switchyard/contracts';
import { requireRole, requireTenant } from '@switchyard/service-kit';
import type { TenantToolbox } from '@switchyard/engine-kit';
import { InvalidGraphDefinitionError, checkGraphDefinition } from './definition-checks.ts';
import type { GraphDefinitionStore, GraphDefinitionVersionDoc } from './graph-definition-store.ts';

const MAX_DEFINITION_BYTES = 256_000;

/** createGraphDefinition & co.: DEVELOPER writes, VIEWER reads, always inside the caller's tenant. */
export class GraphDefinitionManager {
  constructor(
    private readonly definitions: GraphDefinitionStore,
    private readonly toolbox: TenantToolbox,
  ) {}

  async create(context: TenantContext, input: { name: string; definition: unknown }): Promise<GraphDefinitionVersionDoc> {
    requireRole(context, 'DEVELOPER', 'createGraphDefinition');
    const tenantId = requireTenant(context, 'createGraphDefinition');
    const name = input.name.trim();
    if (!name || name.length > 100) throw new BadUserInputError('input.name must be 1 to 100 characters.', { field: 'input.name' });
    return this.definitions.create(tenantId, randomUUID(), name, await this.validated(context, input.definition));
  }

  async update(context: TenantContext, id: string, definition: unknown): Promise<GraphDefinitionVersionDoc> {
    requireRole(context, 'DEVELOPER', 'updateGraphDefinition');
    const tenantId = requireTenant(context, 'updateGraphDefinition');
    const saved = await this.definitions.addVersion(tenantId, id, await this.validated(context, definition));
    if (!saved) throw new NotFoundError('Graph definition', id);
    return saved;
  }

  async delete(context: TenantContext, id: string): Promise<boolean> {
    requireRole(context, 'DEVELOPER', 'deleteGraphDefinition');
    const tenantId = requireTenant(context, 'deleteGraphDefinition');
    if (!(await this.definitions.delete(tenantId, id))) throw new NotFoundError('Graph definition', id);
    return true;
  }

  async list(context: TenantContext): Promise<GraphDefinitionVersionDoc[]> {
    requireRole(context, 'VIEWER', 'Reading graph definitions');
    return this.definitions.listLatest(requireTenant(context, 'Reading graph definitions'));
  }

  async get(context: TenantContext, id: string, version?: number | null): Promise<GraphDefinitionVersionDoc | null> {
    requireRole(context, 'VIEWER', 'Reading graph definitions');
    if (version !== undefined && version !== null && (!Number.isInteger(version) || version < 1)) throw new BadUserInputError('version must be 1 or more.', { field: 'version' });
    return this.definitions.get(requireTenant(context, 'Reading graph definitions'), id, version);
  }

  private async validated(context: TenantContext, definition: unknown): Promise<Record<string, unknown>> {
    if (typeof definition !== 'object' || definition === null || Array.isArray(definition)) {
      throw new BadUserInputError('definition must be a JSON object (a graph definition).', { field: 'definition' });
    }
    if (JSON.stringify(definition).length > MAX_DEFINITION_BYTES) throw new BadUserInputError(`definition is larger than ${MAX_DEFINITION_BYTES} bytes.`, { field: 'definition' });
    try {
      checkGraphDefinition(definition, { tools: await this.toolbox.toolNames(context) });
    } catch (error) {
      if (error instanceof InvalidGraphDefinitionError) throw new BadUserInputError(error.message, { field: 'definition', problems: error.problems });
      throw error;
    }
    // Stored as given (defaults not filled in), so what a developer wrote is what they read back.
    return definition as Record<string, unknown>;
  }
}
