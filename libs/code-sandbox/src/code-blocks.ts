import type { CodeBlock } from './code-executor.ts';

const FENCE = /```[ \t]*([\w+#.-]*)[^\n]*\n([\s\S]*?)```/g;

/**
 * The fenced code blocks of a markdown message, in order, as AutoGen's code executor agent reads
 * them: ```python / ```py / ```javascript / ```js blocks; a block without a language is skipped.
 */
export function extractCodeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  for (const match of markdown.matchAll(FENCE)) {
    const language = match[1]!.trim();
    const code = match[2]!;
    if (language && code.trim()) blocks.push({ language, code });
  }
  return blocks;
}
