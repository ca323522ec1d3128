// What a manager page shows when its data did not load: the sentence, and whether trying again can help
// (it cannot when the person is not a manager); and the load that ends in the data or in that failure.
import { CallError } from '../../services/gateway';
import { messageOf } from '../../services/feedback';

export interface Failure {
  error: string;
  forbidden: boolean;
}

export function failure(error: unknown): Failure {
  return { error: messageOf(error), forbidden: error instanceof CallError && error.code === 'FORBIDDEN' };
}

/** Loads a manager page's data: `loading` while it runs, then the data, or the failure in its place. */
export async function loadPage(
  view: { setData(patch: Record<string, unknown>): void },
  load: () => Promise<Record<string, unknown>>,
): Promise<void> {
  view.setData({ loading: true, error: '' });
  try {
    view.setData(await load());
  } catch (error) {
    view.setData({ ...failure(error) });
  } finally {
    view.setData({ loading: false });
  }
}
