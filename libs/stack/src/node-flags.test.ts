import { describe, expect, it } from 'vitest';
import { ASYNC_CONTEXT_FRAME_FLAG, serviceNodeFlags } from './node-flags.ts';

describe('serviceNodeFlags', () => {
  it('backs AsyncLocalStorage with AsyncContextFrame where Node has the flag but not the default', () => {
    expect(serviceNodeFlags('20.19.0')).toEqual([]);
    expect(serviceNodeFlags('v20.20.2')).toEqual([]);
    expect(serviceNodeFlags('22.6.0')).toEqual([]);
    expect(serviceNodeFlags('22.7.0')).toEqual([ASYNC_CONTEXT_FRAME_FLAG]);
    expect(serviceNodeFlags('v22.23.5')).toEqual([ASYNC_CONTEXT_FRAME_FLAG]);
    expect(serviceNodeFlags('23.1.0')).toEqual([ASYNC_CONTEXT_FRAME_FLAG]);
    expect(serviceNodeFlags('24.0.0')).toEqual([]);
  });

  it('does not give the flag twice when NODE_OPTIONS already has it', () => {
    const before = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = `--max-old-space-size=2048 ${ASYNC_CONTEXT_FRAME_FLAG}`;
    try {
      expect(serviceNodeFlags('22.7.0')).toEqual([]);
    } finally {
      if (before === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = before;
    }
  });

  it('names a flag the running Node accepts, or none', async () => {
    const { spawnSync } = await import('node:child_process');
    const child = spawnSync(process.execPath, [...serviceNodeFlags(), '-e', 'process.stdout.write("ok")'], { encoding: 'utf8' });
    expect(child.stderr).toBe('');
    expect(child.stdout).toBe('ok');
  });
});
