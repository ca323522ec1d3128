// The one storage interface of the backend: a small document store with unique ids and compare-and-set.
// Implemented on SQLite (a developer's machine, tests) and on the CloudBase database (the cloud).

/** Collections the backend keeps; each document's `_id` is its unique key. */
export type Collection =
  | 'members' // _id = openid
  | 'invites' // _id = invite code
  | 'vehicles' // _id = vehicle id
  | 'orders' // _id = outTradeNo
  | 'jobs' // _id = job id
  | 'jobItems' // _id = `${jobId}:${iccid}`
  | 'audit' // _id = generated
  | 'tokens' // _id = 'platform'
  | 'usage' // _id = `${iccid}:${YYYY-MM-DD}`
  | 'alerts' // _id = alert rule id
  | 'outbox' // _id = generated: alert messages in dev
  | 'alertsSent' // _id = `${ruleId}:${iccid}:${period}`: an alert claimed once, and how its delivery went
  | 'alertWatch' // _id = ICCID: the card state the alert timer saw last, to notice a card being stopped
  | 'meta' // _id = setting name (e.g. bootstrap code)
  | 'cards' // _id = ICCID: the fleet's cards as last read from the platform (the card index)
  | 'pending'; // _id = ICCID: a stop/resume asked for and not yet confirmed

export type Scalar = string | number | boolean | null;

/**
 * A filter: every field must match. A plain value means equal; `{ in: [...] }` one of; `{ gte, lte, lt, gt }`
 * a range; `{ exists: false }` missing or null. Fields are top-level document fields.
 */
export type Where = Record<
  string,
  Scalar | { in: Scalar[] } | { gte?: Scalar; gt?: Scalar; lte?: Scalar; lt?: Scalar } | { exists: boolean }
>;

export interface FindOptions {
  orderBy?: { field: string; direction: 'asc' | 'desc' };
  skip?: number;
  /** At most 1000; CloudBase pages internally (a function gets at most 100 documents per get()). */
  take?: number;
}

/** Any document type with a string `_id` (interfaces need no index signature). */
export interface Doc {
  _id: string;
}

export class DuplicateKeyError extends Error {
  constructor(
    readonly collection: Collection,
    readonly id: string,
  ) {
    super(`duplicate key ${collection}/${id}`);
  }
}

export interface Store {
  get<T extends Doc>(collection: Collection, id: string): Promise<T | null>;
  /** Inserts a new document; throws DuplicateKeyError when the `_id` exists. */
  insert<T extends Doc>(collection: Collection, doc: T): Promise<void>;
  /** Inserts or replaces the whole document. */
  put<T extends Doc>(collection: Collection, doc: T): Promise<void>;
  /**
   * Compare-and-set: applies `patch` (top-level fields; `undefined` values are ignored) only if the
   * document exists and every field of `expect` matches (a Where). Returns whether it was applied.
   * Atomic against every other writer of the same store.
   */
  update(collection: Collection, id: string, patch: Record<string, unknown>, expect?: Where): Promise<boolean>;
  /** Adds `by` to a numeric field atomically (missing counts as 0); returns the new value, or null if no doc. */
  increment(collection: Collection, id: string, field: string, by: number): Promise<number | null>;
  remove(collection: Collection, id: string): Promise<boolean>;
  find<T extends Doc>(collection: Collection, where?: Where, options?: FindOptions): Promise<T[]>;
  count(collection: Collection, where?: Where): Promise<number>;
  /** Ready to serve (used by /healthz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
