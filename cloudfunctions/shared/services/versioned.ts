// Compare-and-set on a `version` field: the store cannot compare arrays, so a document whose lists change
// (a vehicle's cards and drivers, a member's vehicles) carries a counter that every write moves on.
import { AppError } from '../runtime/errors';
import type { Deps } from '../runtime/handler';
import type { Collection, Doc, Where } from '../store/store';

export type Versioned = Doc & { version?: number };

/** The Where that matches exactly the version a document was read with (missing before its first write). */
export function atVersion(doc: Versioned): Where {
  return { version: doc.version === undefined ? { exists: false } : doc.version };
}

export const nextVersion = (doc: Versioned) => (doc.version ?? 0) + 1;

/**
 * Applies `change` to the current document and writes it only if nobody wrote in between; reads again and
 * retries when someone did. `change` answers the fields to set, or null for "nothing to do".
 * Returns the document as written (or as found when nothing changed), null when it does not exist.
 */
export async function updateVersioned<T extends Versioned>(
  deps: Deps,
  collection: Collection,
  id: string,
  change: (doc: T) => Partial<T> | null,
): Promise<T | null> {
  for (let attempt = 0; ; attempt++) {
    const doc = await deps.store.get<T>(collection, id);
    if (!doc) return null;
    const patch = change(doc);
    if (!patch) return doc;
    const written = { ...patch, version: nextVersion(doc) };
    if (await deps.store.update(collection, id, written, atVersion(doc))) return { ...doc, ...written };
    if (attempt >= 20) throw new Error(`${collection}/${id}: too many concurrent writes`);
  }
}

/**
 * Saves an edited document: inserts `created` when there is no `existing`, else writes `fields` over it only
 * if nobody wrote since it was read (a CONFLICT with `conflict` otherwise). Returns the document as saved.
 */
export async function saveEdited<T extends Versioned>(
  deps: Deps,
  collection: Collection,
  existing: T | null,
  fields: Partial<T>,
  created: () => T,
  conflict: string,
): Promise<T> {
  if (!existing) {
    const doc = { ...created(), version: 1 };
    await deps.store.insert(collection, doc);
    return doc;
  }
  const patch = { ...fields, version: nextVersion(existing) };
  if (!(await deps.store.update(collection, existing._id, patch, atVersion(existing)))) {
    throw new AppError('CONFLICT', conflict);
  }
  return { ...existing, ...patch };
}
