import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface CliConfig {
  url: string;
  apiKey: string;
}

/** Gateway URL and key from flags, then SWITCHYARD_URL / SWITCHYARD_API_KEY, then .switchyard/dev.json. */
export function resolveCliConfig(flags: { url?: string; key?: string }, env: NodeJS.ProcessEnv, cwd: string): CliConfig {
  const devFile = resolve(cwd, env.SWITCHYARD_STATE_DIR ?? '.switchyard', 'dev.json');
  const dev = existsSync(devFile) ? (JSON.parse(readFileSync(devFile, 'utf8')) as { gatewayUrl?: string; apiKey?: string }) : {};
  const url = flags.url ?? env.SWITCHYARD_URL ?? dev.gatewayUrl;
  const apiKey = flags.key ?? env.SWITCHYARD_API_KEY ?? dev.apiKey;
  if (!url || !apiKey) {
    throw new UsageError('No gateway URL or API key: pass --url and --key, set SWITCHYARD_URL and SWITCHYARD_API_KEY, or run `npm start` (it writes .switchyard/dev.json).');
  }
  return { url, apiKey };
}

/** A mistake in how the CLI was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}
