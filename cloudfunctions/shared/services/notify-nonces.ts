// Nonces of payment notifications already accepted (collection 'meta'), so a replayed message is refused.
import type { Deps } from '../runtime/handler';
import { DuplicateKeyError, type Doc } from '../store/store';

const KIND = 'notifyNonce';
const PRUNE_BATCH = 200;

interface NonceDoc extends Doc {
  kind: typeof KIND;
  at: number;
  expiresAt: number;
}

/**
 * Claims a nonce; false when it was seen before. A message is accepted within ±windowSec of its timestamp,
 * so its nonce must be remembered for twice the window after it was first seen.
 */
export async function claimNonce(deps: Deps, nonce: string, windowSec: number): Promise<boolean> {
  const at = deps.now();
  try {
    await deps.store.insert<NonceDoc>('meta', {
      _id: `${KIND}:${nonce}`,
      kind: KIND,
      at,
      expiresAt: at + 2 * windowSec * 1000,
    });
    return true;
  } catch (error) {
    if (error instanceof DuplicateKeyError) return false;
    throw error;
  }
}

/** Forgets nonces that can no longer be replayed inside the window; answers how many. */
export async function pruneNonces(deps: Deps): Promise<number> {
  const expired = await deps.store.find<NonceDoc>(
    'meta',
    { kind: KIND, expiresAt: { lt: deps.now() } },
    { take: PRUNE_BATCH },
  );
  for (const doc of expired) await deps.store.remove('meta', doc._id);
  return expired.length;
}
