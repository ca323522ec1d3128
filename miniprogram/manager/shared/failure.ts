// What a manager page shows when its data did not load: the sentence, and whether trying again can help
// (it cannot when the person is not a manager).
import { CallError } from '../../services/gateway';
import { messageOf } from '../../services/feedback';

export interface Failure {
  error: string;
  forbidden: boolean;
}

export function failure(error: unknown): Failure {
  return { error: messageOf(error), forbidden: error instanceof CallError && error.code === 'FORBIDDEN' };
}
