import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

describe('createLogger', () => {
  it('writes JSON lines with the service and ids, and never credentials, prompts, messages or tool arguments', () => {
    const lines: string[] = [];
    const logger = createLogger('probe', 'info', { write: (line: string) => void lines.push(line) });
    logger.child({ tenantId: 'acme', workflowId: 'w1' }).warn(
      {
        headers: { authorization: 'Bearer sy_live_secret', 'x-switchyard-context': 'signed.token', accept: 'application/json' },
        request: { prompt: 'Claim #12345 of Jane Doe, SSN 123-45-6789', messages: [{ role: 'user', content: 'private' }], model: 'gpt-4o-mini' },
        call: { name: 'http_get', arguments: '{"url":"https://internal/?key=abc"}' },
        webhook: { webhookSecret: 'whsec_1', url: 'https://hooks.example.com' },
        input: 'Process insurance claim #12345 for Jane Doe',
      },
      'model call failed',
    );
    const line = JSON.parse(lines[0]!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a log line's shape
    expect(line).toMatchObject({ service: 'probe', tenantId: 'acme', workflowId: 'w1', msg: 'model call failed', level: 40 });
    expect(line.headers).toEqual({ authorization: '[redacted]', 'x-switchyard-context': '[redacted]', accept: 'application/json' });
    expect(line.request).toEqual({ prompt: '[redacted]', messages: '[redacted]', model: 'gpt-4o-mini' });
    expect(line.call).toEqual({ name: 'http_get', arguments: '[redacted]' });
    expect(line.webhook).toEqual({ webhookSecret: '[redacted]', url: 'https://hooks.example.com' });
    expect(line.input).toBe('[redacted]');
    expect(lines[0]).not.toMatch(/Jane|SSN|sy_live|whsec_1|key=abc/);
  });
});
