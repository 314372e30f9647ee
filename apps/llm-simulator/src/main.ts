import { z } from 'zod';
import { parseFaultRates, startSimulator } from '@switchyard/llm-simulator';
import { announceReady, createLogger, onShutdown, parseEnv, runMain } from '@switchyard/service-kit';

// The embedded stand-in for a language model: an OpenAI-compatible server with simulated replies.
const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  LOG_LEVEL: z.string().default('info'),
  LLM_SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  /** true: replies carry no token usage, like some compatible servers (billing then counts tokens itself). */
  LLM_SIMULATOR_OMIT_USAGE: z.enum(['true', 'false']).default('false'),
  /** Faults injected at random into chat calls, as JSON of spec to rate, e.g. {"429": 0.1, "500": 0.1, "timeout": 0.05, "truncate": 0.05, "bad-tool-json": 0.1}. */
  LLM_SIMULATOR_FAULT_RATES: z
    .string()
    .default('')
    .transform((text, ctx) => {
      if (text.trim() === '') return undefined;
      try {
        const rates = JSON.parse(text) as Record<string, number>;
        parseFaultRates(rates);
        return rates;
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON object of fault to rate, e.g. {"500": 0.1, "truncate": 0.05}: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  /** Seed of the random fault draws (a failing run replays with the same seed). */
  LLM_SIMULATOR_FAULT_SEED: z.coerce.number().int().default(1),
  /** Append every charged chat completion to this file as a JSON line (a provider's invoice, to reconcile billing against). */
  LLM_SIMULATOR_JOURNAL: z.string().optional(),
});

runMain(async () => {
  const env = parseEnv(envSchema);
  const logger = createLogger('llm-simulator', env.LOG_LEVEL);
  const simulator = await startSimulator({
    host: env.HOST,
    port: env.PORT,
    latencyMs: env.LLM_SIMULATOR_LATENCY_MS,
    omitUsage: env.LLM_SIMULATOR_OMIT_USAGE === 'true',
    ...(env.LLM_SIMULATOR_JOURNAL ? { journal: env.LLM_SIMULATOR_JOURNAL } : {}),
    ...(env.LLM_SIMULATOR_FAULT_RATES ? { faultRates: env.LLM_SIMULATOR_FAULT_RATES, faultSeed: env.LLM_SIMULATOR_FAULT_SEED } : {}),
  });
  logger.info({ url: simulator.url, latencyMs: env.LLM_SIMULATOR_LATENCY_MS, faultRates: env.LLM_SIMULATOR_FAULT_RATES ?? null }, 'LLM simulator listening (simulated replies, not a real model)');
  onShutdown(logger, [() => simulator.close()]);
  announceReady('llm-simulator', simulator.url);
});
