import { describe, expect, it } from 'vitest';
import { SwitchyardClientError } from '@switchyard/client/browser';
import { formErrorsOf } from './field-errors.ts';

const apiError = (...errors: Array<{ message: string; field?: string }>) =>
  new SwitchyardClientError(
    200,
    errors.map((e) => ({ message: e.message, extensions: { code: 'BAD_USER_INPUT', ...(e.field ? { field: e.field } : {}) } })),
  );

describe('form errors', () => {
  it('puts a message next to the field its extensions.field names', () => {
    const errors = formErrorsOf(apiError({ message: 'input.primaryColor must be a colour like "#1a2b3c".', field: 'input.primaryColor' }), ['displayName', 'primaryColor']);
    expect(errors).toEqual({ fields: { primaryColor: 'input.primaryColor must be a colour like "#1a2b3c".' }, form: null });
  });

  it('reads the field from the start of the message when the error names no field, and a nested path goes to its form field', () => {
    expect(formErrorsOf(apiError({ message: 'input.input is empty: say what the workflow should do.' }), ['input', 'definition']).fields).toEqual({
      input: 'input.input is empty: say what the workflow should do.',
    });
    expect(formErrorsOf(apiError({ message: 'x', field: 'input.values.amount' }), ['values']).fields).toEqual({ values: 'x' });
  });

  it('keeps what no field of the form is about for the whole form', () => {
    const errors = formErrorsOf(apiError({ message: 'Only a TENANT_ADMIN may do this.' }, { message: 'bad month', field: 'month' }), ['name']);
    expect(errors).toEqual({ fields: {}, form: 'Only a TENANT_ADMIN may do this. bad month' });
    expect(formErrorsOf(new Error('Failed to fetch'), ['name'])).toEqual({ fields: {}, form: 'Failed to fetch' });
  });
});
