import { z } from 'zod';
import { ToolInputError, type GraphTool } from './tool-registry.ts';

export const currentTimeTool: GraphTool<{ timezone: string }> = {
  name: 'current_time',
  description: 'The current date and time, as ISO-8601 UTC and in the given IANA time zone (default UTC).',
  args: z.object({ timezone: z.string().min(1).max(64).default('UTC') }),
  run: async ({ timezone }) => {
    const now = new Date();
    let local: string;
    try {
      local = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, dateStyle: 'short', timeStyle: 'medium', hourCycle: 'h23' }).format(now);
    } catch {
      throw new ToolInputError(`unknown time zone "${timezone}"; use an IANA name such as "Europe/Berlin"`);
    }
    return { iso: now.toISOString(), timezone, local };
  },
};
