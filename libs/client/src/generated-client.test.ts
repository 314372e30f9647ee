import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generate } from '@graphql-codegen/cli';
import config from '../../../tools/codegen/codegen.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('generated client', () => {
  it('is up to date with the API schema and the operations (run `npm run codegen` when this fails)', async () => {
    const previous = process.cwd();
    process.chdir(ROOT);
    try {
      const outputs = (await generate({ ...config, silent: true }, false)) as { filename: string; content: string }[];
      expect(outputs.length).toBeGreaterThan(0);
      for (const output of outputs) {
        expect(readFileSync(`${ROOT}${output.filename}`, 'utf8'), output.filename).toBe(output.content);
      }
    } finally {
      process.chdir(previous);
    }
  });
});
