import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';
import { formatErrorFor } from './subgraph-server.ts';

const format = formatErrorFor(createLogger('test', 'silent'));

describe('formatErrorFor', () => {
  it('turns an unreachable peer or store into UNAVAILABLE, which says to retry', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4007'), { code: 'ECONNREFUSED' }) });
    const formatted = format({ message: 'fetch failed', path: ['startWorkflow'] }, { originalError: refused });
    expect(formatted).toMatchObject({ path: ['startWorkflow'], extensions: { code: 'UNAVAILABLE' } });
    expect(formatted.message).toMatch(/Retry shortly/);
    const timedOut = new DOMException('The operation was aborted due to timeout', 'TimeoutError');
    expect(format({ message: 'timeout' }, { originalError: timedOut })).toMatchObject({ extensions: { code: 'UNAVAILABLE' } });
  });

  it('hides any other unexpected error behind INTERNAL_SERVER_ERROR, and passes coded errors through', () => {
    expect(format({ message: 'secret detail' }, { originalError: new Error('secret detail') })).toMatchObject({ extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(format({ message: 'Bad id', extensions: { code: 'BAD_USER_INPUT' } }, new Error('Bad id'))).toEqual({ message: 'Bad id', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
