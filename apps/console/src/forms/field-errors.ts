import { SwitchyardClientError } from '@switchyard/client/browser';

/** An API error split for a form: messages next to the fields they name, the rest for the whole form. */
export interface FormErrors {
  fields: Record<string, string>;
  form: string | null;
}

export const NO_ERRORS: FormErrors = { fields: {}, form: null };

/**
 * Which of `fields` an API error is about: `extensions.field` first (e.g. "input.primaryColor"),
 * else the path the message starts with ("input.input is empty: ..."), matched on its last
 * segment that names a field of the form (so "input.values.amount" goes to "values").
 */
export function formErrorsOf(error: unknown, fields: readonly string[]): FormErrors {
  const errors =
    error instanceof SwitchyardClientError
      ? error.errors
      : [{ message: error instanceof Error ? error.message : String(error), extensions: {} as Record<string, unknown> }];
  const result: FormErrors = { fields: {}, form: null };
  const unplaced: string[] = [];
  for (const e of errors) {
    const named = typeof e.extensions?.['field'] === 'string' ? (e.extensions['field'] as string) : (/^((?:input\.)?[A-Za-z][\w.]*)(?::|\s)/.exec(e.message)?.[1] ?? '');
    const field = fieldFor(named, fields);
    if (field && !result.fields[field]) result.fields[field] = e.message;
    else unplaced.push(e.message);
  }
  if (errors.length === 0 && error instanceof SwitchyardClientError) unplaced.push(error.message);
  result.form = unplaced.length > 0 ? unplaced.join(' ') : null;
  return result;
}

function fieldFor(path: string, fields: readonly string[]): string | undefined {
  if (!path) return undefined;
  const segments = path.split('.').filter((s) => s !== 'input' || path === 'input');
  // "input.input" names the field "input": keep one.
  if (path === 'input.input') return fields.includes('input') ? 'input' : undefined;
  for (let i = 0; i < segments.length; i += 1) {
    if (fields.includes(segments[i]!)) return segments[i];
  }
  return undefined;
}
