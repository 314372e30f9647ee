import { describe, expect, it } from 'vitest';
import { extractCodeBlocks } from './code-blocks.ts';

describe('extractCodeBlocks', () => {
  it('returns the fenced blocks with a language, in order', () => {
    const message = 'Here:\n\n```python\nprint(1)\n```\n\nand\n```js\nconsole.log(2)\n```\n```\nno language\n```';
    expect(extractCodeBlocks(message)).toEqual([
      { language: 'python', code: 'print(1)\n' },
      { language: 'js', code: 'console.log(2)\n' },
    ]);
  });

  it('finds nothing in plain text', () => {
    expect(extractCodeBlocks('The task is complete. TERMINATE')).toEqual([]);
  });
});
