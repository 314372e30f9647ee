import { valueAt } from './conditions.ts';

const PLACEHOLDER = /\{\{\s*([A-Za-z_][\w]*(?:\.[\w]+)*)\s*\}\}/g;
const WHOLE = /^\{\{\s*([A-Za-z_][\w]*(?:\.[\w]+)*)\s*\}\}$/;

/** The top-level state keys a template reads (`{{claim.amount}}` reads `claim`). */
export function templateVariables(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!.split('.')[0]!);
}

function asText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Fill `{{var}}` and `{{var.path}}` placeholders from the state; objects become JSON, missing values empty. */
export function renderTemplate(template: string, scope: Record<string, unknown>): string {
  return template.replace(PLACEHOLDER, (_m, path: string) => asText(valueAt(scope, path)));
}

/**
 * Fill placeholders anywhere inside a JSON value (tool arguments, `set` values). A string that is
 * exactly one placeholder keeps the value's type, so `"{{amount}}"` passes a number, not "40000".
 */
export function renderValue(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value === 'string') {
    const whole = value.match(WHOLE);
    return whole ? valueAt(scope, whole[1]!) : renderTemplate(value, scope);
  }
  if (Array.isArray(value)) return value.map((item) => renderValue(item, scope));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderValue(v, scope)]));
  return value;
}

/** Every template string inside a JSON value, for static checks. */
export function templateStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(templateStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(templateStrings);
  return [];
}
