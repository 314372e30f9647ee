import { CONTEXT_HEADER, type Framework, type TenantContext } from '@switchyard/contracts';
import type { ContextTokens, ServiceEndpoints } from '@switchyard/service-kit';

/** How long answers are remembered and how long a probe may take. */
export interface EngineProbeTimes {
  /** An engine that answered available. */
  availableMs: number;
  /** An engine that is down: requests meanwhile are refused at once instead of each waiting for a probe. */
  downMs: number;
  probeTimeoutMs: number;
}
const DEFAULT_TIMES: EngineProbeTimes = { availableMs: 30_000, downMs: 2000, probeTimeoutMs: 3000 };

/**
 * Whether an engine can take a workflow now: AVAILABLE; NOT_CONFIGURED (this deployment has no such
 * engine: the caller should name another framework); DOWN (configured but not answering, or saying
 * it cannot take work: retry later).
 */
export type EngineAvailability = 'AVAILABLE' | 'NOT_CONFIGURED' | 'DOWN';

/**
 * Where each engine is and whether it can take workflows now, asked of the engine itself
 * (GET /engine/info) and remembered for a while. One probe per engine is in flight at a time and
 * every request that needs the answer meanwhile shares it. An engine that was seen available stays
 * accepted when a probe fails (a busy or restarting engine: the runner waits for it); only an engine
 * never seen available, or one that says it cannot take work, counts as down.
 */
export class EngineDirectory {
  private readonly known = new Map<Framework, { available: boolean; until: number }>();
  private readonly probes = new Map<Framework, Promise<boolean>>();

  constructor(
    readonly urls: Partial<Record<Framework, ServiceEndpoints>>,
    private readonly tokens: ContextTokens,
    private readonly times: EngineProbeTimes = DEFAULT_TIMES,
  ) {}

  async availability(framework: Framework, context: TenantContext): Promise<EngineAvailability> {
    const url = framework === 'HYBRID' ? undefined : this.urls[framework];
    if (!url) return 'NOT_CONFIGURED';
    const cached = this.known.get(framework);
    if (cached && cached.until > Date.now()) return cached.available ? 'AVAILABLE' : 'DOWN';
    let probe = this.probes.get(framework);
    if (!probe) {
      probe = this.probe(framework, url, context).finally(() => this.probes.delete(framework));
      this.probes.set(framework, probe);
    }
    return (await probe) ? 'AVAILABLE' : 'DOWN';
  }

  private async probe(framework: Framework, engine: ServiceEndpoints, context: TenantContext): Promise<boolean> {
    let available: boolean;
    try {
      const response = await engine.fetch('/engine/info', {
        headers: { [CONTEXT_HEADER]: await this.tokens.sign(context) },
        signal: AbortSignal.timeout(this.times.probeTimeoutMs),
        idempotent: true,
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      available = ((await response.json()) as { available?: boolean }).available === true;
    } catch {
      // No answer (timeout, refused, an error status): keep the last answer the engine gave.
      available = this.known.get(framework)?.available ?? false;
    }
    this.known.set(framework, { available, until: Date.now() + (available ? this.times.availableMs : this.times.downMs) });
    return available;
  }

  /** The engine's objections to a definition (each naming its path); empty when it accepts it. */
  async validate(framework: Framework, definition: unknown, context: TenantContext): Promise<string[]> {
    const url = this.urls[framework];
    if (!url || definition === null || definition === undefined) return [];
    const response = await url.fetch('/engine/validate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await this.tokens.sign(context) },
      body: JSON.stringify({ definition }),
      signal: AbortSignal.timeout(5000),
      idempotent: true,
    });
    if (!response.ok) return [];
    return ((await response.json()) as { problems?: string[] }).problems ?? [];
  }
}
