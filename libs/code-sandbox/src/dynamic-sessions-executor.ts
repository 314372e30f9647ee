import { randomUUID } from 'node:crypto';
import {
  EXIT_TIMEOUT,
  runBlocksInOrder,
  unsupportedLanguage,
  type CodeBlock,
  type CodeExecutionResult,
  type CodeExecutor,
  type ExecuteOptions,
} from './code-executor.ts';

export interface DynamicSessionsExecutorOptions {
  /** The session pool's management endpoint, e.g. https://<region>.dynamicsessions.io/subscriptions/…/sessionPools/<pool>. */
  poolManagementEndpoint: string;
  /** The session identifier: code in the same session shares its interpreter state. Default: a new UUID per executor. */
  sessionId?: string;
  /** Bearer tokens for the pool (audience https://dynamicsessions.io); default DefaultAzureCredential. */
  tokenProvider?: () => Promise<string>;
  /** Time one block may take, sent as the request timeout. Default 60000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

/** The scope a token for the session pool's data plane is issued for. */
export const DYNAMIC_SESSIONS_SCOPE = 'https://dynamicsessions.io/.default';
const API_VERSION = '2024-02-02-preview';

interface ExecuteResponse {
  properties?: { status?: string; stdout?: string; stderr?: string; result?: unknown; executionTimeInMilliseconds?: number };
}

/**
 * Runs Python blocks in an Azure Container Apps dynamic session (a Hyper-V isolated code interpreter
 * in a session pool): the production executor. Each block is one synchronous `code/execute` call in
 * the same session. Failures of the service itself (auth, HTTP errors) throw; failures of the code
 * come back as results.
 */
export class DynamicSessionsExecutor implements CodeExecutor {
  readonly languages = ['python'] as const;
  private readonly sessionId: string;
  private readonly timeoutMs: number;
  private readonly tokenProvider: () => Promise<string>;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: DynamicSessionsExecutorOptions) {
    this.sessionId = options.sessionId ?? randomUUID();
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.tokenProvider = options.tokenProvider ?? defaultTokenProvider();
    this.fetchImpl = options.fetch ?? fetch;
  }

  execute(blocks: CodeBlock[], options: ExecuteOptions = {}): Promise<CodeExecutionResult> {
    return runBlocksInOrder(blocks, options, (block) =>
      block.language === 'python' ? this.runOne(block.code, options.signal) : Promise.resolve(unsupportedLanguage(block.language, this.languages)),
    );
  }

  private async runOne(code: string, signal?: AbortSignal): Promise<CodeExecutionResult> {
    const started = Date.now();
    const url = new URL(`${this.options.poolManagementEndpoint.replace(/\/+$/, '')}/code/execute`);
    url.searchParams.set('api-version', API_VERSION);
    url.searchParams.set('identifier', this.sessionId);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const base = { language: 'python', memoryExceeded: false };
    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${await this.tokenProvider()}`, 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { codeInputType: 'inline', executionType: 'synchronous', code } }),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      if (signal?.aborted) return { ...base, exitCode: 130, stdout: '', stderr: 'Execution was cancelled.\n', timedOut: false, aborted: true, durationMs: Date.now() - started };
      if (timeout.aborted) {
        return { ...base, exitCode: EXIT_TIMEOUT, stdout: '', stderr: `The code was stopped: it ran longer than the ${this.timeoutMs} ms time limit.\n`, timedOut: true, aborted: false, durationMs: Date.now() - started };
      }
      throw new Error(`The dynamic sessions pool could not be reached: ${(error as Error).message}`);
    }
    if (!response.ok) {
      const detail = (await response.text().catch(() => '')).slice(0, 300);
      throw new Error(`The dynamic sessions pool answered HTTP ${response.status}${detail ? `: ${detail}` : ''}`);
    }
    const body = (await response.json()) as ExecuteResponse;
    const properties = body.properties ?? {};
    const result = properties.result === undefined || properties.result === null || properties.result === '' ? '' : `${typeof properties.result === 'string' ? properties.result : JSON.stringify(properties.result)}\n`;
    const stderr = properties.stderr ?? '';
    const succeeded = (properties.status ?? 'Success').toLowerCase() === 'success';
    return {
      ...base,
      exitCode: succeeded ? 0 : 1,
      stdout: `${properties.stdout ?? ''}${result}`,
      stderr,
      timedOut: false,
      aborted: false,
      durationMs: properties.executionTimeInMilliseconds ?? Date.now() - started,
    };
  }
}

function defaultTokenProvider(): () => Promise<string> {
  let cached: { token: string; expiresOnTimestamp: number } | undefined;
  return async () => {
    if (!cached || cached.expiresOnTimestamp < Date.now() + 5 * 60_000) {
      const { DefaultAzureCredential } = await import('@azure/identity');
      const token = await new DefaultAzureCredential().getToken(DYNAMIC_SESSIONS_SCOPE);
      if (!token) throw new Error('DefaultAzureCredential returned no token for the dynamic sessions pool.');
      cached = token;
    }
    return cached.token;
  };
}
