import { identifierWords, keyPhrase } from './text-tools.ts';

/** A JSON Schema as it arrives over the wire; only the keywords the filler understands are read. */
export type JsonSchema = Record<string, unknown>;

/** Things worth copying from the user's text into generated values. */
export interface Entities {
  ids: string[];
  money: number[];
  emails: string[];
  urls: string[];
  dates: string[];
  places: string[];
  /** Plain numbers left after ids, dates, e-mails and URLs were taken out, in order of appearance. */
  numbers: number[];
}

/** Pull ids (`#12345`, `#CLM-7`, `ABC-123`), `$` amounts, e-mails, URLs, ISO dates, capitalised places and numbers from text. */
export function extractEntities(text: string): Entities {
  const all = (re: RegExp, group = 0) => [...text.matchAll(re)].map((m) => m[group] ?? '');
  const ids = [...all(/#([A-Za-z-]*\d[\w-]*)/g, 1), ...all(/\b[A-Z]{2,}-\d{2,}\b/g)];
  const emails = all(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g);
  const urls = all(/https?:\/\/[^\s)"'>]+/g);
  const dates = all(/\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b/g);
  const money = all(/\$\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)/g, 1).map((n) => Number(n.replace(/,/g, '')));
  const places = all(/\b(?:in|at|near|from|to)\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+)*)/g, 1);
  let rest = text;
  for (const taken of [...urls, ...emails, ...dates, ...ids]) rest = rest.replace(taken, ' ');
  const numbers = [...rest.matchAll(/(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?!\w)/g)].map((m) => Number(m[0].replace(/,/g, '')));
  return { ids, money, emails, urls, dates, places, numbers };
}

/** Context for one generated document: the text values come from, and a cursor into its numbers. */
export class ValueSource {
  readonly entities: Entities;
  private nextNumber = 0;
  constructor(
    /** The request the values answer (usually the last user message). */
    readonly primaryText: string,
    /** Everything values may be extracted from, most relevant first. */
    readonly searchText: string = primaryText,
  ) {
    this.entities = extractEntities(searchText);
  }
  takeNumber(): number | undefined {
    return this.entities.numbers[this.nextNumber++];
  }
  phrase(words = 8): string {
    return keyPhrase(this.primaryText, words) || 'simulated';
  }
}

type Kind = 'id' | 'money' | 'email' | 'url' | 'date' | 'place' | 'query' | 'prose' | 'name' | 'other' | 'expression';

/** What a property holds, guessed from its name: `claimNumber` is an id, `totalAmount` money, `city` a place. */
export function keyKind(key: string | undefined): Kind {
  if (!key) return 'other';
  const words = ` ${identifierWords(key).join(' ')} `;
  const has = (re: RegExp) => re.test(words);
  if (has(/ (expression|formula|equation|calculation|math) /)) return 'expression';
  if (has(/ (amount|total|price|cost|sum|balance|fee|payment|salary|budget) /)) return 'money';
  if (has(/ (id|number|no|ref|reference|ticket|order) $/)) return 'id';
  if (has(/ (e ?mail) /)) return 'email';
  if (has(/ (url|uri|link|website|href) /)) return 'url';
  if (has(/ (date|day|deadline|timestamp|when) /)) return 'date';
  if (has(/ (city|location|place|country|region|address|destination|origin) /)) return 'place';
  if (has(/ (query|question|input|text|prompt|topic|search|q|task|message|request|instruction|keywords?) /)) return 'query';
  if (has(/ (summary|description|answer|reason|explanation|notes?|comment|result|response|output|content|body|analysis|conclusion|rationale) /)) return 'prose';
  if (has(/ (name|title|label|author|customer|person) /)) return 'name';
  return 'other';
}

function stringFor(kind: Kind, source: ValueSource): string | undefined {
  const e = source.entities;
  switch (kind) {
    case 'id':
      return e.ids[0];
    case 'money':
      return e.money[0] === undefined ? undefined : String(e.money[0]);
    case 'email':
      return e.emails[0] ?? 'user@example.com';
    case 'url':
      return e.urls[0] ?? 'https://example.com';
    case 'date':
      return e.dates[0]?.slice(0, 10) ?? '2025-01-01';
    case 'place':
      return e.places[0];
    case 'query':
      return source.primaryText.replace(/\s+/g, ' ').trim().slice(0, 300) || undefined;
    case 'prose':
      return `[simulated] ${source.phrase(20)}`;
    case 'name':
      return e.places[0] ?? source.phrase(4);
    case 'expression': {
      // The arithmetic in the text, as a model would pass it to a calculator ("What is (12 + 30) * 2?" → "(12 + 30) * 2").
      const candidates = source.primaryText.match(/[\d\s+\-*/%^().]*\d[\d\s+\-*/%^().]*/g) ?? [];
      return candidates.map((c) => c.trim()).sort((a, b) => b.length - a.length)[0] || undefined;
    }
    case 'other':
      return undefined;
  }
}

function numberFor(kind: Kind, source: ValueSource): number | undefined {
  const e = source.entities;
  if (kind === 'money') return e.money[0] ?? source.takeNumber();
  if (kind === 'id') {
    const digits = e.ids.map((id) => id.replace(/\D/g, '')).find((d) => d.length > 0);
    return digits === undefined ? source.takeNumber() : Number(digits);
  }
  return source.takeNumber();
}

const isObject = (v: unknown): v is JsonSchema => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Produce a value that satisfies `schema`: every declared property (required or not), enums and consts
 * honoured, defaults used when the text offers nothing better, numbers clamped to their bounds, and strings
 * taken from the user's text where the property name suggests what they hold. Not supported: `pattern`,
 * `if/then/else`, `patternProperties`, `not` — values still come out type-correct there.
 */
export function valueFromSchema(schema: unknown, source: ValueSource, key?: string, root: unknown = schema, depth = 0): unknown {
  if (!isObject(schema) || depth > 12) return key ? (stringFor(keyKind(key), source) ?? source.phrase()) : {};
  const ref = schema['$ref'];
  if (typeof ref === 'string') {
    const target = ref
      .replace(/^#\/?/, '')
      .split('/')
      .filter(Boolean)
      .reduce<unknown>((node, part) => (isObject(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), root);
    return valueFromSchema(target, source, key, root, depth + 1);
  }
  if ('const' in schema) return schema['const'];
  const kind = keyKind(key);
  if (Array.isArray(schema['enum']) && schema['enum'].length > 0) {
    const options = schema['enum'] as unknown[];
    const lower = source.searchText.toLowerCase();
    const mentioned = options.find((o) => typeof o === 'string' && o.length > 1 && lower.includes(o.toLowerCase()));
    if (mentioned !== undefined) return mentioned;
    return options.some((o) => o === schema['default']) ? schema['default'] : options[0];
  }
  for (const combinator of ['anyOf', 'oneOf'] as const) {
    const options = schema[combinator];
    if (Array.isArray(options) && options.length > 0) {
      const pick = options.find((o) => !(isObject(o) && o['type'] === 'null')) ?? options[0];
      return valueFromSchema(pick, source, key, root, depth + 1);
    }
  }
  if (Array.isArray(schema['allOf'])) {
    const merged: JsonSchema = { type: 'object', properties: {}, required: [] };
    for (const part of schema['allOf']) {
      if (!isObject(part)) continue;
      Object.assign(merged['properties'] as JsonSchema, part['properties']);
      if (part['type'] !== undefined && part['type'] !== 'object') merged['type'] = part['type'];
    }
    return valueFromSchema(merged, source, key, root, depth + 1);
  }
  const declared = schema['type'];
  const type = Array.isArray(declared)
    ? (declared.find((t) => t !== 'null') ?? 'null')
    : (declared ?? (schema['properties'] ? 'object' : schema['items'] ? 'array' : 'string'));

  switch (type) {
    case 'object': {
      const properties = isObject(schema['properties']) ? schema['properties'] : {};
      const out: Record<string, unknown> = {};
      for (const [name, propSchema] of Object.entries(properties)) out[name] = valueFromSchema(propSchema, source, name, root, depth + 1);
      return out;
    }
    case 'array': {
      const min = typeof schema['minItems'] === 'number' ? schema['minItems'] : 1;
      const max = typeof schema['maxItems'] === 'number' ? schema['maxItems'] : Math.max(min, 1);
      const count = Math.min(Math.max(min, 1), max);
      const itemKey = key?.replace(/(ies|s)$/, (m) => (m === 'ies' ? 'y' : ''));
      return Array.from({ length: count }, () => valueFromSchema(schema['items'], source, itemKey, root, depth + 1));
    }
    case 'integer':
    case 'number': {
      const fromText = kind === 'other' && schema['default'] !== undefined ? undefined : numberFor(kind, source);
      let n = fromText ?? (typeof schema['default'] === 'number' ? schema['default'] : undefined) ?? 1;
      const min = typeof schema['minimum'] === 'number' ? schema['minimum'] : typeof schema['exclusiveMinimum'] === 'number' ? schema['exclusiveMinimum'] + (type === 'integer' ? 1 : 0.01) : undefined;
      const max = typeof schema['maximum'] === 'number' ? schema['maximum'] : typeof schema['exclusiveMaximum'] === 'number' ? schema['exclusiveMaximum'] - (type === 'integer' ? 1 : 0.01) : undefined;
      if (min !== undefined) n = Math.max(n, min);
      if (max !== undefined) n = Math.min(n, max);
      return type === 'integer' ? Math.round(n) : n;
    }
    case 'boolean':
      return typeof schema['default'] === 'boolean' ? schema['default'] : true;
    case 'null':
      return null;
    default: {
      const format = schema['format'];
      let s: string | undefined =
        format === 'date-time' ? `${source.entities.dates[0]?.slice(0, 10) ?? '2025-01-01'}T00:00:00Z`
        : format === 'date' ? (source.entities.dates[0]?.slice(0, 10) ?? '2025-01-01')
        : format === 'email' ? stringFor('email', source)
        : format === 'uri' || format === 'url' ? stringFor('url', source)
        : format === 'uuid' ? '00000000-0000-4000-8000-000000000000'
        : undefined;
      s ??= stringFor(kind, source) ?? (typeof schema['default'] === 'string' ? schema['default'] : undefined) ?? source.phrase();
      const minLength = typeof schema['minLength'] === 'number' ? schema['minLength'] : 0;
      const maxLength = typeof schema['maxLength'] === 'number' ? schema['maxLength'] : Infinity;
      if (s.length < minLength) s = s.padEnd(minLength, '.');
      return s.slice(0, maxLength);
    }
  }
}

/**
 * Keys for a `json_object` reply when no schema is given: an example JSON object in the prompt wins, then an
 * explicit "keys/fields: a, b" list, then things the prompt mentions ("claim number" → `claimNumber`, "amount").
 */
export function inferJsonObject(instructions: string, source: ValueSource): Record<string, unknown> {
  const example = findJsonExample(instructions);
  if (example) return valueFromSchema(schemaOfExample(example), source) as Record<string, unknown>;
  const keys = new Set<string>();
  const list = instructions.match(/\b(?:keys?|fields?|properties)\b(?:\s+(?:named|called))?\s*:?\s*([^\n.]+)/i)?.[1];
  for (const item of list?.split(/,|\band\b|\bor\b/) ?? []) {
    const cleaned = item.replace(/["'`*]/g, '').trim();
    if (/^[A-Za-z_][\w]*$/.test(cleaned)) keys.add(cleaned);
    else if (/^[A-Za-z][A-Za-z ]{0,38}$/.test(cleaned) && cleaned.split(' ').length <= 3) keys.add(camel(cleaned));
  }
  if (keys.size === 0) {
    for (const m of instructions.matchAll(/\b([a-z]+)\s+(number|id)\b/gi)) keys.add(camel(`${m[1]} ${m[2]}`));
    for (const word of ['amount', 'total', 'email', 'date', 'name', 'city', 'status', 'category', 'sentiment', 'priority']) {
      if (new RegExp(`\\b${word}\\b`, 'i').test(instructions)) keys.add(word);
    }
  }
  if (keys.size === 0) keys.add('summary');
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const kind = keyKind(key);
    out[key] = kind === 'money' ? (numberFor(kind, source) ?? 0) : valueFromSchema({ type: 'string' }, source, key);
  }
  return out;
}

const camel = (phrase: string) =>
  phrase
    .toLowerCase()
    .split(/\s+/)
    .map((w, i) => (i === 0 ? w : w[0]!.toUpperCase() + w.slice(1)))
    .join('');

function findJsonExample(text: string): Record<string, unknown> | undefined {
  // Bounded search: a prompt full of braces must not cost thousands of JSON.parse calls.
  const starts = [...text.matchAll(/\{/g)].slice(0, 20).map((m) => m.index);
  const ends = [...text.matchAll(/\}/g)].slice(-20).map((m) => m.index).reverse();
  for (const start of starts) {
    for (const end of ends.filter((e) => e > start)) {
      try {
        const parsed: unknown = JSON.parse(text.slice(start, end + 1));
        if (isObject(parsed) && Object.keys(parsed).length > 0) return parsed;
      } catch {
        // not JSON at this span; keep looking
      }
    }
  }
  return undefined;
}

function schemaOfExample(value: unknown): JsonSchema {
  if (Array.isArray(value)) return { type: 'array', items: schemaOfExample(value[0]) };
  if (isObject(value)) return { type: 'object', properties: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, schemaOfExample(v)])) };
  if (typeof value === 'number') return { type: Number.isInteger(value) ? 'integer' : 'number' };
  if (typeof value === 'boolean') return { type: 'boolean', default: value };
  if (value === null) return { type: 'null' };
  return { type: 'string' };
}
