/** One fenced code block to run, e.g. from a ```python block of a chat message. */
export interface CodeBlock {
  language: string;
  code: string;
}

export interface ExecuteOptions {
  /** Aborting stops the running code (the process or isolate is killed) and the result reports it. */
  signal?: AbortSignal;
}

/**
 * What running a list of blocks produced. Blocks run in order and the first failing block stops the
 * rest (as AutoGen's executors do); stdout and stderr are those of every block that ran.
 */
export interface CodeExecutionResult {
  /** 0 on success; the failing block's exit code otherwise (124 on a timeout, 137 when killed for memory). */
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The code hit its memory limit. */
  memoryExceeded: boolean;
  /** The execution was stopped through options.signal. */
  aborted: boolean;
  /** Language of the last block that ran (normalized: "python" or "javascript"). */
  language: string;
  durationMs: number;
}

/**
 * Runs untrusted code (typically written by a model) behind limits. Every implementation keeps the
 * same contract: it never throws for anything the code does (endless loops, memory hogs, crashes,
 * forbidden I/O); those come back as a result with a non-zero exitCode and an explanation in stderr.
 */
export interface CodeExecutor {
  /** Normalized languages this executor runs. */
  readonly languages: readonly string[];
  execute(blocks: CodeBlock[], options?: ExecuteOptions): Promise<CodeExecutionResult>;
}

export const EXIT_TIMEOUT = 124;
export const EXIT_KILLED = 137;

const LANGUAGE_ALIASES: Record<string, string> = {
  python: 'python',
  python3: 'python',
  py: 'python',
  javascript: 'javascript',
  js: 'javascript',
  node: 'javascript',
  nodejs: 'javascript',
  mjs: 'javascript',
};

/** "py", "Python3" → "python"; "js", "node" → "javascript"; anything else lower-cased as is. */
export function normalizeLanguage(language: string): string {
  const key = language.trim().toLowerCase();
  return LANGUAGE_ALIASES[key] ?? key;
}

/** The result for a block no executor can run: a failure the model can read and correct. */
export function unsupportedLanguage(language: string, supported: readonly string[]): CodeExecutionResult {
  return {
    exitCode: 1,
    stdout: '',
    stderr: `Unsupported language "${language}": this sandbox runs ${supported.join(' and ')} code blocks.`,
    timedOut: false,
    memoryExceeded: false,
    aborted: false,
    language,
    durationMs: 0,
  };
}

/** Run blocks one after another with a per-block runner, stopping at the first failure. */
export async function runBlocksInOrder(
  blocks: CodeBlock[],
  options: ExecuteOptions,
  runOne: (block: CodeBlock) => Promise<CodeExecutionResult>,
): Promise<CodeExecutionResult> {
  const started = Date.now();
  let stdout = '';
  let stderr = '';
  let last: CodeExecutionResult | undefined;
  for (const block of blocks) {
    if (options.signal?.aborted) break;
    last = await runOne({ language: normalizeLanguage(block.language), code: block.code });
    stdout += last.stdout;
    stderr += last.stderr;
    if (last.exitCode !== 0) break;
  }
  const aborted = options.signal?.aborted ?? false;
  if (!last) {
    return { exitCode: aborted ? 130 : 0, stdout: '', stderr: aborted ? 'Execution was cancelled.' : '', timedOut: false, memoryExceeded: false, aborted, language: '', durationMs: 0 };
  }
  return { ...last, stdout, stderr, aborted: last.aborted || aborted, durationMs: Date.now() - started };
}

/** Keeps at most `limit` characters of a stream, noting how much was cut. */
export class OutputBuffer {
  private text = '';
  private dropped = 0;
  constructor(private readonly limit: number) {}

  append(chunk: string): void {
    const room = this.limit - this.text.length;
    if (room >= chunk.length) this.text += chunk;
    else {
      this.text += chunk.slice(0, Math.max(0, room));
      this.dropped += chunk.length - Math.max(0, room);
    }
  }

  toString(): string {
    return this.dropped > 0 ? `${this.text}\n[output truncated: ${this.dropped} more characters]\n` : this.text;
  }
}
