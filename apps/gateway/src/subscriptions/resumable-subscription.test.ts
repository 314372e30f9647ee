import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { isConnectionLoss, resumablePrimary } from './resumable-subscription.ts';

const normalized = (query: string) => print(parse(query));

describe('resumablePrimary', () => {
  it('binds the cursor argument to a variable of its own and remembers where the subscriber asked to start', () => {
    const primary = resumablePrimary(
      'subscription Events($workflowId:ID!,$afterSequence:Int){workflowEvents(workflowId:$workflowId,afterSequence:$afterSequence){__typename sequence type}}',
      { workflowId: 'w1', afterSequence: 7 },
    );
    expect(primary).toMatchObject({ initialCursor: 7, responseKey: 'workflowEvents', cursorField: 'sequence', cursorVariable: '__resumeAfter' });
    expect(normalized(primary!.operation)).toBe(
      normalized('subscription Events($workflowId:ID!,$__resumeAfter:Int){workflowEvents(workflowId:$workflowId,afterSequence:$__resumeAfter){__typename sequence type}}'),
    );
  });

  it('adds the position to the selection when the subscriber did not ask for it, and reads a literal start', () => {
    const primary = resumablePrimary('subscription{workflowEvents(workflowId:"w1",afterSequence:3){type data}}', {});
    expect(primary!.initialCursor).toBe(3);
    expect(normalized(primary!.operation)).toBe(
      normalized('subscription($__resumeAfter:Int){workflowEvents(workflowId:"w1",afterSequence:$__resumeAfter){type data sequence}}'),
    );
  });

  it('starts from the beginning when no position was given, and keeps an aliased root field apart', () => {
    const primary = resumablePrimary('subscription($id:ID!){events:workflowEvents(workflowId:$id){sequence}}', { id: 'w1' });
    expect(primary).toMatchObject({ initialCursor: null, responseKey: 'events' });
  });

  it('leaves other subscriptions alone', () => {
    expect(resumablePrimary('subscription{somethingElse{id}}', {})).toBeNull();
  });
});

describe('isConnectionLoss', () => {
  it('resumes after a closed or refused connection, not after an answer', () => {
    expect(isConnectionLoss({ code: 1006, reason: '' })).toBe(true);
    expect(isConnectionLoss({ code: 1001, reason: 'Going away' })).toBe(true);
    expect(isConnectionLoss(new Error('connect ECONNREFUSED'))).toBe(true);
    expect(isConnectionLoss([{ message: 'Workflow not found', extensions: { code: 'NOT_FOUND' } }])).toBe(false);
    expect(isConnectionLoss({ code: 4403, reason: 'Forbidden' })).toBe(false);
  });
});
