/**
 * Strings and JSON values that have broken other services: injections of every kind a string may
 * reach (SQL, NoSQL operators, JSON paths, prototype keys, templates, paths, markup), control and
 * unicode characters, and numbers at and past the edges.
 */
export const INJECTION_STRINGS: readonly string[] = [
  "' OR '1'='1",
  "'; DROP TABLE documents; --",
  '" OR 1=1 --',
  '1; SELECT * FROM sqlite_master',
  "x' UNION SELECT id, body FROM documents WHERE '1'='1",
  '{"$gt": ""}',
  '{"$ne": null}',
  '{"$where": "sleep(1000)"}',
  '$..*',
  '$[?(@.tenantId != "")]',
  "SELECT * FROM c WHERE c.tenantId != ''",
  '__proto__',
  'constructor',
  'prototype',
  '__proto__.polluted',
  'constructor.prototype.polluted',
  '{{constructor.constructor("return process")()}}',
  '${process.exit(1)}',
  '#{7*7}',
  '<%= 7*7 %>',
  '{{7*7}}',
  '{{input}}{{outputs.x}}{{__proto__}}',
  '%s%s%s%s%n%x',
  '%(password)s',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '/etc/shadow',
  'file:///etc/passwd',
  'http://169.254.169.254/latest/meta-data/',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(1)',
  '\u0000',
  'a\u0000b',
  '\u0007\u0008\u001b[31mred\u001b[0m',
  '\r\nSet-Cookie: injected=1',
  '\ud800',
  '\udfff\ud800',
  '\u202e\u0644\u0627 RTL',
  '\ufeff\u200b\u200d',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e309',
  '-0',
  '0x7fffffff',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  ' ',
  '\t\n',
];

/** JSON values for JSON arguments: operators, prototype keys, wrong shapes. */
export const INJECTION_JSON: readonly unknown[] = [
  { $gt: '' },
  { $ne: null, $or: [{ a: 1 }] },
  { tenantId: { $ne: 'x' } },
  JSON.parse('{"__proto__": {"polluted": true, "isAdmin": true}}'),
  { constructor: { prototype: { polluted: true } } },
  { 'a.b.c': 1, '$..x': 2, '': 3 },
  { toString: 'x', valueOf: 1, hasOwnProperty: 'y' },
  [],
  [null, null],
  'a string',
  42,
  true,
  null,
  { template: '../../../../etc/passwd' },
  { template: '__proto__' },
  { template: 'constructor' },
];

export const BOUNDARY_INTS: readonly number[] = [0, -1, 1, 2147483647, -2147483648, 999999999];
export const OUT_OF_RANGE_INTS: readonly unknown[] = [2147483648, -2147483649, 9007199254740993, 1.5, 1e21, '12', 'NaN', true];
export const BOUNDARY_FLOATS: readonly number[] = [0, -0, -1, 1e-300, 1.7976931348623157e308, -1.7976931348623157e308, 5e-324, 0.1 + 0.2];
export const MALFORMED_FLOATS: readonly unknown[] = ['NaN', 'Infinity', '-Infinity', '1e309', '', '0x10', [], {}];

/** A string of exactly `length` characters (a repeated pattern with multi-byte characters, so byte and char limits differ). */
export function longString(length: number): string {
  const unit = 'ab é 日本 ';
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}
