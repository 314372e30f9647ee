import { z } from 'zod';
import { startSimulator } from '@switchyard/llm-simulator';
import { announceReady, createLogger, onShutdown, parseEnv, runMain } from '@switchyard/service-kit';

// The embedded stand-in for a language model: an OpenAI-compatible server with simulated replies.
const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  LOG_LEVEL: z.string().default('info'),
  LLM_SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  /** true: replies carry no token usage, like some compatible servers (billing then counts tokens itself). */
  LLM_SIMULATOR_OMIT_USAGE: z.enum(['true', 'false']).default('false'),
});

runMain(async () => {
  const env = parseEnv(envSchema);
  const logger = createLogger('llm-simulator', env.LOG_LEVEL);
  const simulator = await startSimulator({ host: env.HOST, port: env.PORT, latencyMs: env.LLM_SIMULATOR_LATENCY_MS, omitUsage: env.LLM_SIMULATOR_OMIT_USAGE === 'true' });
  logger.info({ url: simulator.url, latencyMs: env.LLM_SIMULATOR_LATENCY_MS }, 'LLM simulator listening (simulated replies, not a real model)');
  onShutdown(logger, [() => simulator.close()]);
  announceReady('llm-simulator', simulator.url);
});
