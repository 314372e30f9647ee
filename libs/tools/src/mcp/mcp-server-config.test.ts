import { describe, expect, it } from 'vitest';
import { BadUserInputError } from '@switchyard/contracts';
import { configDigest, parseMcpServerConfig, parseStdioCommandList, resolveSecretValues } from './mcp-server-config.ts';

const policy = { stdioCommands: ['/opt/mcp/bin/filesystem-server'] };

describe('parseMcpServerConfig', () => {
  it('accepts Streamable HTTP and allowlisted stdio servers, with defaults', () => {
    expect(parseMcpServerConfig({ name: 'github', transport: 'streamable-http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'secret:mcp.github_token' } }, policy)).toEqual({
      name: 'github',
      transport: 'streamable-http',
      url: 'https://mcp.example.com/mcp',
      headers: { Authorization: 'secret:mcp.github_token' },
    });
    expect(parseMcpServerConfig({ name: 'files', transport: 'stdio', command: '/opt/mcp/bin/filesystem-server' }, policy)).toEqual({
      name: 'files',
      transport: 'stdio',
      command: '/opt/mcp/bin/filesystem-server',
      args: [],
      env: {},
    });
  });

  it('names every problem by its path', () => {
    const attempt = () => parseMcpServerConfig({ name: 'GitHub!', transport: 'streamable-http', url: 'ftp://x', headers: { Host: 'evil' }, extra: 1 }, policy);
    expect(attempt).toThrow(BadUserInputError);
    expect(attempt).toThrow(/name: must be 1-32 lowercase letters.*url: must be an http or https URL.*headers\.Host: is set by the MCP transport itself.*Unrecognized key: "extra"/);
    expect(() => parseMcpServerConfig({ name: 'x', transport: 'sse', url: 'https://x' }, policy)).toThrow('transport');
    expect(() => parseMcpServerConfig({ name: 'f', transport: 'stdio', command: '/opt/mcp/bin/filesystem-server', cwd: 'relative', env: { LD_PRELOAD: '/tmp/x.so' } }, policy)).toThrow(
      /env\.LD_PRELOAD: would change which program runs.*cwd: must be an absolute path/,
    );
  });

  it('refuses a stdio command the operator does not allow', () => {
    expect(() => parseMcpServerConfig({ name: 'sh', transport: 'stdio', command: '/bin/sh', args: ['-c', 'id'] }, policy)).toThrow(
      'MCP server "sh": the command "/bin/sh" is not on the operator\'s allowlist for stdio servers; use one of: /opt/mcp/bin/filesystem-server, or a streamable-http server.',
    );
    // Compared exactly: a path that resolves to the same program is still another command.
    expect(() => parseMcpServerConfig({ name: 'f', transport: 'stdio', command: '/opt/mcp/bin/../bin/filesystem-server' }, policy)).toThrow('is not on the operator\'s allowlist');
  });
});

describe('resolveSecretValues', () => {
  const secrets = { get: async (name: string) => ({ token: 'T0K', other: 'O' })[name] };
  const describeHeader = (name: string) => `the header ${name}`;

  it('replaces whole-value and embedded references, and leaves literal values alone', async () => {
    expect(await resolveSecretValues({ A: 'secret:token', B: 'Bearer ${secret:token}', C: '${secret:token}:${secret:other}', D: 'plain secret:token' }, secrets, describeHeader)).toEqual({
      A: 'T0K',
      B: 'Bearer T0K',
      C: 'T0K:O',
      D: 'plain secret:token',
    });
  });

  it('says which secret is missing', async () => {
    await expect(resolveSecretValues({ Authorization: 'Bearer ${secret:nope}' }, secrets, describeHeader)).rejects.toThrow('the header Authorization references the secret "nope", which this tenant has not set');
  });
});

describe('configDigest', () => {
  it('changes with the config and the resolved secrets, not with key order', () => {
    const config = parseMcpServerConfig({ name: 'g', transport: 'streamable-http', url: 'https://x.example/mcp', headers: { A: '1', B: '2' } }, policy);
    const reordered = parseMcpServerConfig({ headers: { B: '2', A: '1' }, url: 'https://x.example/mcp', transport: 'streamable-http', name: 'g' }, policy);
    expect(configDigest(config)).toBe(configDigest(reordered));
    expect(configDigest(config, { A: 'old' })).not.toBe(configDigest(config, { A: 'new' }));
    expect(configDigest(parseMcpServerConfig({ name: 'g', transport: 'streamable-http', url: 'https://y.example/mcp', headers: { A: '1', B: '2' } }, policy))).not.toBe(configDigest(config));
  });
});

describe('parseStdioCommandList', () => {
  it('reads absolute paths separated by commas or new lines, and refuses relative ones', () => {
    expect(parseStdioCommandList(undefined)).toEqual([]);
    expect(parseStdioCommandList(' /opt/mcp/a , /usr/local/bin/b\n/srv/with space/c ')).toEqual(['/opt/mcp/a', '/usr/local/bin/b', '/srv/with space/c']);
    expect(() => parseStdioCommandList('/opt/mcp/a,npx,node')).toThrow('MCP stdio commands must be absolute paths; not: npx, node');
  });
});
