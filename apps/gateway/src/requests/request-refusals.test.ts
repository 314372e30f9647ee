import { describe, expect, it } from 'vitest';
import { withoutArmorSyntaxPrefix } from './request-refusals.ts';

describe('withoutArmorSyntaxPrefix', () => {
  it("drops graphql-armor's misleading 'Syntax Error:' from its limits and says what to do, keeping the code", () => {
    const cost = { message: 'Syntax Error: Query Cost limit of 5000 exceeded, found 3.36e+53.', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(withoutArmorSyntaxPrefix(cost)).toEqual({
      message: 'Query Cost limit of 5000 exceeded, found 3.36e+53: ask for fewer items (smaller `first`) or fewer nested fields, or split the operation.',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(withoutArmorSyntaxPrefix({ message: 'Syntax Error: Aliases limit of 15 exceeded, found 60.' }).message).toBe('Aliases limit of 15 exceeded, found 60: simplify the operation or split it into several requests.');
    expect(withoutArmorSyntaxPrefix({ message: 'Syntax Error: Query depth limit of 12 exceeded, found 40.' }).message).toMatch(/^Query depth limit of 12 exceeded, found 40: simplify/);
  });

  it('leaves real syntax errors and everything else alone', () => {
    for (const message of ['Syntax Error: Expected Name, found <EOF>.', 'Cannot query field "x" on type "Query".']) {
      expect(withoutArmorSyntaxPrefix({ message }).message).toBe(message);
    }
  });
});
