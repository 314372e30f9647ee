import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '@switchyard/testkit';

const run = promisify(execFile);
const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('switchyard CLI against a running platform', () => {
  let stack: TestStack;
  let cli: (...args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>;
  beforeAll(async () => {
    stack = await startTestStack();
    cli = async (...args) => {
      try {
        const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args], {
          env: { ...process.env, SWITCHYARD_URL: stack.gatewayUrl, SWITCHYARD_API_KEY: stack.apiKey },
        });
        return { code: 0, stdout, stderr };
      } catch (error) {
        const failed = error as { code: number; stdout: string; stderr: string };
        return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
      }
    };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('runs a workflow and follows it live to the end', async () => {
    const result = await cli('run', 'Process insurance claim #777', '--framework', 'LANGGRAPH');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Workflow [0-9a-f-]{36} on LANGGRAPH/);
    expect(result.stdout).toContain('MODEL_CALL');
    expect(result.stdout).toContain('WORKFLOW_SUCCEEDED');
    expect(result.stdout).toMatch(/status:\s+SUCCEEDED/);
    const id = /Workflow ([0-9a-f-]{36})/.exec(result.stdout)![1]!;

    const status = await cli('status', id);
    expect(status.stdout).toMatch(/status:\s+SUCCEEDED/);
    const list = await cli('list', '--status', 'SUCCEEDED');
    expect(list.stdout).toContain(id);
    const cancel = await cli('cancel', id);
    expect(cancel.code).toBe(1);
    expect(cancel.stderr).toContain('CONFLICT');
  });

  it('explains mistakes with the usage and exit code 2', async () => {
    const missing = await cli('run');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Usage:');
    const badFramework = await cli('run', 'x', '--framework', 'SKYNET');
    expect(badFramework.code).toBe(2);
    expect(badFramework.stderr).toContain('--framework must be one of');
    const badJson = await cli('resume', 'abc', '{not json');
    expect(badJson.code).toBe(2);
    const wrongKey = await run(process.execPath, ['--import', 'tsx', MAIN, 'list', '--url', stack.gatewayUrl, '--key', 'sy_abcdefghijkm_notarealsecretnotarealsecret00']).catch((e: { code: number; stderr: string }) => e);
    expect((wrongKey as { code: number }).code).toBe(1);
    expect((wrongKey as { stderr: string }).stderr).toContain('UNAUTHENTICATED');
  });
});
