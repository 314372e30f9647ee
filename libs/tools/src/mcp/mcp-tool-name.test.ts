import { describe, expect, it } from 'vitest';
import { mcpToolName } from './mcp-tool-name.ts';

const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

describe('mcpToolName', () => {
  it('prefixes the server name and keeps a valid name as it is', () => {
    expect(mcpToolName('github', 'create_issue')).toBe('github__create_issue');
    expect(mcpToolName('docs', 'Search-Web')).toBe('docs__Search-Web');
  });

  it('replaces characters outside the function-name rule and adds a hash, so similar names stay apart', () => {
    const dotted = mcpToolName('fs', 'files.read');
    const underscored = mcpToolName('fs', 'files_read');
    expect(dotted).toMatch(/^fs__files_read_[0-9a-f]{8}$/);
    expect(underscored).toBe('fs__files_read');
    expect(mcpToolName('fs', 'files/read')).not.toBe(dotted);
  });

  it('shortens long names to 64 characters, deterministically and distinctly', () => {
    const base = 'a'.repeat(80);
    const first = mcpToolName('server', `${base}_one`);
    const second = mcpToolName('server', `${base}_two`);
    expect(first).toHaveLength(64);
    expect(first).toMatch(FUNCTION_NAME);
    expect(first).not.toBe(second);
    expect(mcpToolName('server', `${base}_one`)).toBe(first);
    // The same tool on another server gets another name.
    expect(mcpToolName('other', `${base}_one`)).not.toBe(first);
  });

  it('gives every tool name a valid function name, whatever characters it has', () => {
    for (const tool of ['', 'ünïcode', 'with space', 'x'.repeat(128), 'a:b@c', '---']) expect(mcpToolName('s', tool)).toMatch(FUNCTION_NAME);
  });
});
