import { describe, expect, it } from 'vitest';
import { createLogger, runLogger } from './logger.ts';

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

  it("keeps prompt fields in the run logger of a tenant that opted in, and only there; credentials never", () => {
    const lines: string[] = [];
    const logger = createLogger('probe', 'info', { write: (line: string) => void lines.push(line) });
    const fields = {
      request: { prompt: 'Claim #12345 of Jane Doe', messages: [{ role: 'user', content: 'private' }] },
      call: { name: 'http_get', arguments: '{"url":"https://internal/"}' },
      headers: { authorization: 'Bearer sy_live_secret' },
      apiKey: 'sy_live_other',
    };
    const keeping = runLogger(logger, { tenantId: 'opted-in', workflowId: 'w1' }, { keepPrompts: true });
    const redacting = runLogger(logger, { tenantId: 'default', workflowId: 'w2' }, { keepPrompts: false });
    const unsaid = runLogger(logger, { tenantId: 'unsaid', workflowId: 'w3' }, undefined);
    // Interleaved, as two runs of two tenants log in one engine process.
    keeping.info(fields, 'model call');
    redacting.info(fields, 'model call');
    keeping.child({ step: 'plan' }).info(fields, 'model call');
    unsaid.info(fields, 'model call');
    logger.info(fields, 'outside any run');
    const [kept, redacted, keptChild, unsaidLine, outside] = lines.map((line) => JSON.parse(line) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- a log line's shape
    for (const line of [kept, keptChild]) {
      expect(line!.request).toEqual(fields.request);
      expect(line!.call).toEqual(fields.call);
      expect(line!.headers).toEqual({ authorization: '[redacted]' });
      expect(line!.apiKey).toBe('[redacted]');
    }
    expect(kept).toMatchObject({ tenantId: 'opted-in', workflowId: 'w1' });
    expect(keptChild).toMatchObject({ tenantId: 'opted-in', step: 'plan' });
    for (const line of [redacted, unsaidLine, outside]) {
      expect(line!.request).toEqual({ prompt: '[redacted]', messages: '[redacted]' });
      expect(line!.call).toEqual({ name: 'http_get', arguments: '[redacted]' });
      expect(line!.apiKey).toBe('[redacted]');
    }
    expect(lines.join('\n')).not.toMatch(/sy_live/);
    expect([lines[1], lines[3], lines[4]].join('\n')).not.toMatch(/Jane|private|internal/);
  });
});
