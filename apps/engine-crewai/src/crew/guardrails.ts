/** The verdict of one guardrail on a task output. */
export interface GuardrailVerdict {
  pass: boolean;
  reason: string;
}

/** Asks the model whether an output satisfies a rule written in words. */
export type GuardrailJudge = (rule: string, output: string) => Promise<GuardrailVerdict>;

/**
 * Check a task output against a guardrail: a built-in check (min_length:<n>, max_length:<n>,
 * contains:<text>, not_contains:<text>, json), or a rule in words judged by the model.
 */
export async function checkGuardrail(guardrail: string, output: string, judge: GuardrailJudge): Promise<GuardrailVerdict> {
  const match = /^([a-z_]+)(?::(.*))?$/s.exec(guardrail);
  if (!match) return judge(guardrail, output);
  const [, kind, argument = ''] = match;
  switch (kind) {
    case 'min_length': {
      const min = Number(argument);
      return output.length >= min
        ? { pass: true, reason: `${output.length} characters` }
        : { pass: false, reason: `the output has ${output.length} characters; it must have at least ${min}` };
    }
    case 'max_length': {
      const max = Number(argument);
      return output.length <= max
        ? { pass: true, reason: `${output.length} characters` }
        : { pass: false, reason: `the output has ${output.length} characters; it must have at most ${max}` };
    }
    case 'contains':
      return output.toLowerCase().includes(argument.toLowerCase())
        ? { pass: true, reason: `contains "${argument}"` }
        : { pass: false, reason: `the output must contain "${argument}"` };
    case 'not_contains':
      return output.toLowerCase().includes(argument.toLowerCase())
        ? { pass: false, reason: `the output must not contain "${argument}"` }
        : { pass: true, reason: `does not contain "${argument}"` };
    case 'json':
      return parseJsonOutput(output) !== undefined ? { pass: true, reason: 'valid JSON' } : { pass: false, reason: 'the output must be valid JSON, with no text around it' };
    default:
      // Definitions are validated up front, so only a rule in words can end up here.
      return judge(guardrail, output);
  }
}

/** JSON from a model's reply, tolerating a surrounding ```json fence; undefined when it is not JSON. */
export function parseJsonOutput(text: string): unknown {
  const unfenced = text.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/i, '$1');
  try {
    return JSON.parse(unfenced);
  } catch {
    return undefined;
  }
}
