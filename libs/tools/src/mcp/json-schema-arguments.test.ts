import { describe, expect, it } from 'vitest';
import { JsonSchemaArguments, MAX_SCHEMA_DEPTH } from './json-schema-arguments.ts';

describe('JsonSchemaArguments', () => {
  it('validates against a 2020-12 schema (the MCP default), fills defaults and leaves the input untouched', () => {
    const parse = new JsonSchemaArguments().compile({
      type: 'object',
      properties: {
        query: { type: 'string', minLength: 1 },
        limit: { type: 'integer', default: 10 },
        filters: { type: 'array', prefixItems: [{ type: 'string' }], items: false },
      },
      required: ['query'],
    });
    const input = { query: 'mcp' };
    expect(parse(input)).toEqual({ ok: true, value: { query: 'mcp', limit: 10 } });
    expect(input).toEqual({ query: 'mcp' });
    expect(parse({ query: 'mcp', filters: ['a', 'b'] })).toEqual({ ok: false, problems: ['filters: must NOT have more than 1 items'] });
  });

  it('reports every problem by its path', () => {
    const parse = new JsonSchemaArguments().compile({
      type: 'object',
      properties: { user: { type: 'object', properties: { email: { type: 'string', format: 'email' }, role: { enum: ['admin', 'viewer'] } } } },
      required: ['user'],
    });
    expect(parse({ user: { email: 'not an email', role: 'root' } })).toEqual({
      ok: false,
      problems: ['user.email: must match format "email"', 'user.role: must be equal to one of the allowed values ("admin", "viewer")'],
    });
    expect(parse({})).toEqual({ ok: false, problems: ["arguments: must have required property 'user'"] });
  });

  it('compiles draft-07 schemas (what older servers publish) as draft-07', () => {
    const parse = new JsonSchemaArguments().compile({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { pair: { type: 'array', items: [{ type: 'number' }, { type: 'string' }] } },
      definitions: { unused: { type: 'string' } },
    });
    expect(parse({ pair: [1, 'a'] })).toEqual({ ok: true, value: { pair: [1, 'a'] } });
    expect(parse({ pair: ['a', 1] })).toMatchObject({ ok: false, problems: ['pair.0: must be number', 'pair.1: must be string'] });
  });

  it('refuses schemas it cannot check, too deep or too large', () => {
    const validator = new JsonSchemaArguments();
    expect(() => validator.compile({ type: 'object', properties: { a: { type: 'no-such-type' } } })).toThrow('its inputSchema is not a JSON Schema that can be checked');
    let deep: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < MAX_SCHEMA_DEPTH; i++) deep = { type: 'object', properties: { x: deep } };
    expect(() => validator.compile(deep)).toThrow(`nests deeper than ${MAX_SCHEMA_DEPTH} levels`);
    expect(() => validator.compile({ type: 'object', description: 'x'.repeat(200_000) })).toThrow('at most 100000 are accepted');
  });

  it('keeps two servers apart even when their schemas share an $id', () => {
    const schema = (type: string) => ({ $id: 'https://example.com/args', type: 'object', properties: { v: { type } } });
    const first = new JsonSchemaArguments().compile(schema('string'));
    const second = new JsonSchemaArguments().compile(schema('number'));
    expect(first({ v: 'a' }).ok).toBe(true);
    expect(second({ v: 1 }).ok).toBe(true);
  });
});
