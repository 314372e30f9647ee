import { z } from 'zod';
import type { CodeExecutor } from '@switchyard/code-sandbox';
import { defineTool } from '../tool.ts';

const MAX_OUTPUT = 8_000;

function clip(text: string): string {
  return text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT)}\n[output cut at ${MAX_OUTPUT} of ${text.length} characters]` : text;
}

/**
 * run_code: the sandbox the AutoGen engine's code executor uses (libs/code-sandbox), as a tool any
 * engine can give its agents. What the code does (loops forever, allocates too much, opens a socket)
 * comes back as a result with a non-zero exit code, never as a crash of the run.
 */
export function runCodeTool(executor: CodeExecutor) {
  return defineTool({
    name: 'run_code',
    description: `Run a short program in a sandbox with no network and a time and memory limit, and get its exit code, stdout and stderr. Languages: ${executor.languages.join(', ')}. Print what you want to see.`,
    args: z.object({
      language: z.string().min(1).max(20).describe(`One of: ${executor.languages.join(', ')}`),
      code: z.string().min(1).max(100_000).describe('The complete program'),
    }),
    execute: async ({ language, code }, context) => {
      const result = await executor.execute([{ language, code }], { signal: context.signal });
      return {
        exitCode: result.exitCode,
        stdout: clip(result.stdout),
        stderr: clip(result.stderr),
        ...(result.timedOut ? { timedOut: true } : {}),
        ...(result.memoryExceeded ? { memoryExceeded: true } : {}),
        durationMs: Math.round(result.durationMs),
      };
    },
  });
}
