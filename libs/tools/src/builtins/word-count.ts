import { z } from 'zod';
import { defineTool } from '../tool.ts';

export const wordCountTool = defineTool({
  name: 'word_count',
  description: 'Count the words, sentences and characters of a text.',
  args: z.object({ text: z.string().max(1_000_000).describe('The text to count') }),
  execute: ({ text }) => ({
    words: text.split(/\s+/).filter(Boolean).length,
    sentences: text.split(/[.!?]+(?:\s|$)/).filter((s) => s.trim()).length,
    characters: text.length,
  }),
});
