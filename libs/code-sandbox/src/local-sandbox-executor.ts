import { IsolateJavaScriptExecutor, type IsolateJavaScriptExecutorOptions } from './js-isolate-executor.ts';
import { PythonSandboxExecutor, type PythonSandboxExecutorOptions } from './python-sandbox-executor.ts';
import {
  runBlocksInOrder,
  unsupportedLanguage,
  type CodeBlock,
  type CodeExecutionResult,
  type CodeExecutor,
  type ExecuteOptions,
} from './code-executor.ts';

/**
 * The executor for one machine: JavaScript in a V8 isolate, Python in a bubblewrap sandbox, each
 * block routed by its language.
 */
export class LocalSandboxExecutor implements CodeExecutor {
  readonly languages: readonly string[];
  private readonly byLanguage: Map<string, CodeExecutor>;

  constructor(options: { javascript?: IsolateJavaScriptExecutorOptions; python?: PythonSandboxExecutorOptions } = {}) {
    const executors: CodeExecutor[] = [new IsolateJavaScriptExecutor(options.javascript), new PythonSandboxExecutor(options.python)];
    this.byLanguage = new Map(executors.flatMap((e) => e.languages.map((language) => [language, e] as const)));
    this.languages = [...this.byLanguage.keys()];
  }

  execute(blocks: CodeBlock[], options: ExecuteOptions = {}): Promise<CodeExecutionResult> {
    return runBlocksInOrder(blocks, options, (block) => {
      const executor = this.byLanguage.get(block.language);
      return executor ? executor.execute([block], options) : Promise.resolve(unsupportedLanguage(block.language, this.languages));
    });
  }
}
