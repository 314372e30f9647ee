import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { ForbiddenError, UnavailableError } from '@switchyard/contracts';
import { internalErrorHandler } from './internal-errors.ts';
import { createLogger } from './logger.ts';

describe('internalErrorHandler', () => {
  it('answers a refusal with its status and code, a bad body with 400, and anything else with a logged 500', async () => {
    const app = express();
    app.post('/internal/erased', async () => {
      throw new ForbiddenError('This tenant was erased; nothing more is stored for it.');
    });
    app.post('/internal/busy', async () => {
      throw new UnavailableError('The ledger is too busy; retry the call.');
    });
    app.post('/internal/json', express.json({ limit: '10b' }), (_req, res) => void res.json({ ok: true }));
    app.post('/internal/bug', async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    });
    app.use(internalErrorHandler(createLogger('test', 'silent')));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const post = async (path: string, body = '{}') => {
      const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: response.status, body: (await response.json()) as { code: string; message: string } };
    };
    try {
      expect(await post('/internal/erased')).toEqual({ status: 403, body: { code: 'FORBIDDEN', message: expect.stringContaining('erased') } });
      expect(await post('/internal/busy')).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
      expect(await post('/internal/json', JSON.stringify({ much: 'too long for the limit' }))).toMatchObject({ status: 413, body: { code: 'BAD_USER_INPUT' } });
      const bug = await post('/internal/bug');
      expect(bug).toMatchObject({ status: 500, body: { code: 'INTERNAL_SERVER_ERROR' } });
      // The cause stays in the log, not in the answer.
      expect(bug.body.message).not.toContain('undefined');
    } finally {
      server.close();
    }
  });
});
