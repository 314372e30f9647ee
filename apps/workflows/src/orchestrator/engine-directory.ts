import { CONTEXT_HEADER, type Framework, type TenantContext } from '@switchyard/contracts';
import type { ContextTokens } from '@switchyard/service-kit';

const CACHE_MS = 30_000;

/**
 * Where each engine is and whether it can take workflows now, asked of the engine itself
 * (GET /engine/info) and remembered for a few seconds.
 */
export class EngineDirectory {
  private readonly known = new Map<Framework, { available: boolean; until: number }>();

  constructor(
    readonly urls: Partial<Record<Framework, string>>,
    private readonly tokens: ContextTokens,
  ) {}

  async isAvailable(framework: Framework, context: TenantContext): Promise<boolean> {
    if (framework === 'HYBRID') return false;
    const cached = this.known.get(framework);
    if (cached && cached.until > Date.now()) return cached.available;
    const url = this.urls[framework];
    let available = false;
    if (url) {
      try {
        const response = await fetch(new URL('/engine/info', url), {
          headers: { [CONTEXT_HEADER]: await this.tokens.sign(context) },
          signal: AbortSignal.timeout(3000),
        });
        available = response.ok && ((await response.json()) as { available?: boolean }).available === true;
      } catch {
        // A busy or restarting engine that could take work a moment ago still can: the runner waits
        // for it. Only an engine never seen available is refused.
        available = cached?.available ?? false;
      }
    }
    this.known.set(framework, { available, until: Date.now() + (available ? CACHE_MS : 2000) });
    return available;
  }

  /** The engine's objections to a definition (each naming its path); empty when it accepts it. */
  async validate(framework: Framework, definition: unknown, context: TenantContext): Promise<string[]> {
    const url = this.urls[framework];
    if (!url || definition === null || definition === undefined) return [];
    const response = await fetch(new URL('/engine/validate', url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(context) },
      body: JSON.stringify({ definition }),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) return [];
    return ((await response.json()) as { problems?: string[] }).problems ?? [];
  }
}
