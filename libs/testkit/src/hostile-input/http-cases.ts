import { longString } from './hostile-values.ts';
import type { SeededRandom } from './seeded-random.ts';

/** One raw HTTP request to the gateway's /graphql, as a hostile client would send it. */
export interface HttpCase {
  kind: string;
  method: string;
  /** Query string after /graphql (GET), without '?'. */
  search?: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/**
 * Operations whose shape, not their values, is hostile: deep nesting, many aliases, fragment
 * cycles, directive floods, token floods, deep introspection, several operations in one document.
 */
export function structuralQuery(random: SeededRandom): { kind: string; query: string; operationName?: unknown } {
  const shape = random.int(0, 9);
  switch (shape) {
    case 0: {
      const depth = random.pick([12, 40, 300]);
      return { kind: `deep-nesting-${depth}`, query: `{ ${'viewer { tenant { '.repeat(Math.ceil(depth / 2))}id${' }'.repeat(Math.ceil(depth / 2) * 2)} }` };
    }
    case 1: {
      const count = random.pick([16, 100, 2000]);
      return { kind: `aliases-${count}`, query: `{ ${Array.from({ length: count }, (_, i) => `a${i}: viewer { role }`).join(' ')} }` };
    }
    case 2:
      return {
        kind: 'fragment-cycle',
        query: random.chance(0.5)
          ? 'query { viewer { ...A } } fragment A on Viewer { ...B } fragment B on Viewer { ...A }'
          : 'query { viewer { ...Self } } fragment Self on Viewer { role ...Self }',
      };
    case 3:
      return { kind: 'directive-flood', query: `{ viewer ${'@include(if: true) '.repeat(random.pick([21, 500]))}{ role } }` };
    case 4:
      return { kind: 'token-flood', query: `{ viewer { ${'role '.repeat(random.pick([3001, 20_000]))}} }` };
    case 5:
      return {
        kind: 'deep-introspection',
        query: '{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } } } }',
      };
    case 6:
      return { kind: 'two-anonymous-operations', query: '{ viewer { role } } { viewer { role } }' };
    case 7:
      return { kind: 'unknown-operation-name', query: 'query A { viewer { role } } query B { viewer { role } }', operationName: random.pick(['C', 7, '', null, ['A']]) };
    case 8:
      return { kind: 'cost-flood', query: `{ ${Array.from({ length: 15 }, (_, i) => `w${i}: workflows(first: 100) { edges { node { id events { sequence type } } } }`).join(' ')} }` };
    default:
      return { kind: 'unicode-names', query: random.pick(['{ viewér { role } }', '{ viewer { role } } \u0000', '{ "viewer" }', '{ viewer(: 1) { role } }', '', '   ', '#only a comment']) };
  }
}

/** Bodies, methods and headers a GraphQL server should refuse clearly: not JSON, wrong types, batches, GET, oversize. */
export function protocolCase(random: SeededRandom, authorization: string): HttpCase {
  const auth = { authorization };
  const shape = random.int(0, 15);
  const ok = JSON.stringify({ query: '{ viewer { role } }' });
  switch (shape) {
    case 0:
      return {
        kind: 'invalid-json',
        method: 'POST',
        headers: { ...JSON_HEADERS, ...auth },
        body: random.pick(['{', '{"query": "{ viewer { role } }",}', "{'query': '{ viewer { role } }'}", '{"query": NaN}', 'null', '"just a string"', '42', '\ufeff{"query":"{ viewer { role } }"}', '', '{"query": "\u0000"}', '\u0000\u0001\u0002']),
      };
    case 1:
      return {
        kind: 'wrong-content-type',
        method: 'POST',
        headers: { 'content-type': random.pick(['text/plain', 'application/graphql', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-7', 'application/json; charset=latin1']), ...auth },
        body: random.chance(0.5) ? ok : 'query=%7B%20viewer%20%7B%20role%20%7D%20%7D',
      };
    case 2:
      return { kind: 'no-content-type', method: 'POST', headers: { ...auth }, body: ok };
    case 3:
      return { kind: 'batched', method: 'POST', headers: { ...JSON_HEADERS, ...auth }, body: JSON.stringify(Array.from({ length: random.pick([1, 2, 50]) }, () => ({ query: '{ viewer { role } }' }))) };
    case 4: {
      const query = random.pick(['{ viewer { role } }', 'mutation { deleteDocument(id: "x") }', '{ viewer { role']);
      const search = new URLSearchParams({ query });
      if (random.chance(0.3)) search.set('variables', random.pick(['{', '[]', '"x"', '{"a":1}']));
      if (random.chance(0.2)) search.set('extensions', '{"persistedQuery":{"version":1,"sha256Hash":"abc"}}');
      return { kind: 'get-query-string', method: 'GET', search: search.toString(), headers: { ...auth, ...(random.chance(0.5) ? { 'apollo-require-preflight': 'true' } : {}) } };
    }
    case 5:
      return { kind: 'get-without-query', method: 'GET', search: random.pick(['', 'query=', 'variables={}', 'query[]=a&query[]=b', `query=${'%7B'.repeat(5000)}`]), headers: { ...auth, 'apollo-require-preflight': 'true' } };
    case 6:
      return { kind: 'other-method', method: random.pick(['PUT', 'DELETE', 'PATCH', 'OPTIONS']), headers: { ...JSON_HEADERS, ...auth }, body: ok };
    case 7:
      return { kind: 'oversized-body', method: 'POST', headers: { ...JSON_HEADERS, ...auth }, body: JSON.stringify({ query: '{ viewer { role } }', variables: { pad: longString(random.pick([1_100_000, 3_000_000])) } }) };
    case 8: {
      const depth = random.pick([1000, 10_000, 100_000]);
      const nested = random.chance(0.5) ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      return { kind: `deep-json-${depth}`, method: 'POST', headers: { ...JSON_HEADERS, ...auth }, body: `{"query":"query($v: JSON) { __typename }","variables":{"v":${nested}}}` };
    }
    case 9:
      return { kind: 'wrong-field-types', method: 'POST', headers: { ...JSON_HEADERS, ...auth }, body: JSON.stringify(random.pick([{ query: 42 }, { query: null }, { query: { a: 1 } }, {}, { query: '{ viewer { role } }', variables: 'x' }, { query: '{ viewer { role } }', variables: [1] }, { query: '{ viewer { role } }', extensions: 'x' }, { query: '{ viewer { role } }', operationName: 5 }])) };
    case 10:
      return { kind: 'persisted-query', method: 'POST', headers: { ...JSON_HEADERS, ...auth }, body: JSON.stringify({ extensions: { persistedQuery: { version: random.pick([1, 2, 'x']), sha256Hash: random.pick(['0'.repeat(64), 'abc', '']) } } }) };
    case 11: {
      const bad = random.pick(['', 'Bearer', 'Bearer ', 'Bearer sy_unknown_key', 'Basic dXNlcjpwYXNz', `Bearer ${'x'.repeat(8000)}`, 'Bearer \u00e9\u00e8', 'bearer  two words', 'Bearer eyJhbGciOiJub25lIn0.eyJ0aWQiOiJ4In0.', "Bearer ' OR '1'='1"]);
      return { kind: 'bad-authorization', method: 'POST', headers: { ...JSON_HEADERS, ...(bad ? { authorization: bad } : {}) }, body: ok };
    }
    case 12:
      return { kind: 'gzip-garbage', method: 'POST', headers: { ...JSON_HEADERS, 'content-encoding': random.pick(['gzip', 'deflate', 'br', 'compress']), ...auth }, body: new Uint8Array([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5]) };
    case 13:
      return { kind: 'binary-body', method: 'POST', headers: { ...JSON_HEADERS, ...auth }, body: Uint8Array.from({ length: 512 }, () => random.int(0, 255)) };
    case 14:
      return { kind: 'prototype-keys-in-body', method: 'POST', headers: { ...JSON_HEADERS, ...auth }, body: '{"query":"{ viewer { role } }","__proto__":{"query":"mutation { eraseTenantData(confirmTenantId: \\"x\\") }"},"constructor":{"prototype":{"polluted":true}},"variables":{"__proto__":{"a":1}}}' };
    default:
      return { kind: 'huge-headers', method: 'POST', headers: { ...JSON_HEADERS, ...auth, 'x-switchyard-context': 'forged.jwt.token', 'x-filler': 'y'.repeat(random.pick([100, 6000])) }, body: ok };
  }
}
