import { z } from 'zod';
import { defineTool, ToolError } from '../tool.ts';

export const currentTimeTool = defineTool({
  name: 'current_time',
  description: 'The current date and time: ISO 8601 in UTC, and the local time in an IANA time zone such as "Europe/Berlin" (default UTC).',
  args: z.object({ timezone: z.string().min(1).max(64).default('UTC').describe('IANA time zone name') }),
  execute: ({ timezone }) => {
    const now = new Date();
    let local: string;
    try {
      local = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, dateStyle: 'short', timeStyle: 'medium', hourCycle: 'h23' }).format(now);
    } catch {
      throw new ToolError(`unknown time zone "${timezone}"; use an IANA name such as "UTC" or "America/New_York"`);
    }
    const weekday = new Intl.DateTimeFormat('en-US', { timeZone: timezone, weekday: 'long' }).format(now);
    return { iso: now.toISOString(), timezone, local, weekday };
  },
});
