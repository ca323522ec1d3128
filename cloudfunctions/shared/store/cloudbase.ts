// The Store on the CloudBase database, through wx-server-sdk's `cloud.database()`.
//
// COLLECTIONS MUST EXIST: CloudBase does not create a collection on first write (a call on a missing one
// fails with -502005 "database collection not exists"). Deployment creates every name in
// CLOUDBASE_COLLECTIONS below — members, invites, vehicles, orders, jobs, jobItems, audit, tokens, usage,
// alerts, outbox, alertsSent, alertWatch, meta, cards, pending — in the console or with `db.createCollection(name)`; the list is exhaustive over
// the Collection type, so adding a collection without adding it here fails to compile.
//
// What this file relies on, read from wx-server-sdk 4.0.2 and @cloudbase/database sources:
// - `doc(id).get()` of a missing id rejects with an Error whose message is
//   "document.get:fail document with _id <id> does not exist" (errCode -1), unless the database was
//   configured with `throwOnNotFound: false`, when it resolves `{ data: null }`. Both mean null here.
// - `add({ data })` with an `_id` that exists rejects. The server's code is DATABASE_DUPLICATE_WRITE (a MongoDB
//   E11000 underneath); wx-server-sdk keeps only a numeric errCode (-501001/-502001) and the server's text in
//   the message, so the error is recognised by the code if present, else by "DATABASE_DUPLICATE_WRITE",
//   "E11000" or "duplicate key" in the message.
// - `get()` in a function returns at most 100 documents: `find` pages with skip/limit up to `take` (≤ 1000).
// - `where(cond).update({ data })` resolves `{ stats: { updated } }`, one atomic MongoDB update per document:
//   with `_id` and `expect` in `cond` it is the compare-and-set. `updated` may count only documents whose
//   content changed (MongoDB's nModified), so 0 is confirmed with a count of `cond` before answering false.
// - update data in plain-object form is merged field by field (nested objects are flattened into dot paths),
//   so every patched value is wrapped in `_.set(value)`, which replaces it whole as SQLite's json_set does.
// - `doc(id).set({ data })` replaces the whole document (upsert); data must not contain `_id` and must not be
//   empty, and `update` data must not contain `_id`.
// - wx-server-sdk's query has no update-and-return, and `_.inc` alone cannot tell a caller the value its own
//   add produced, so `increment` is a compare-and-set loop: read the value, write value+by only where the
//   field still holds it, retry on conflict. No add is lost and each caller gets its exact new value.
//
// A Where's `{ exists: false }` means "missing or null", which is MongoDB's `{ $eq: null }`; `{ exists: true }`
// is `{ $ne: null }`. Where against array fields is not part of the contract (MongoDB would match elements).

import { DuplicateKeyError, type Collection, type Doc, type FindOptions, type Store, type Where } from './store';
import {
  assertDoc,
  assertField,
  assertId,
  assertIncrement,
  normalizeFind,
  parseWhere,
  patchEntries,
  type Condition,
} from './query';

/** Every collection the backend uses; deployment creates each one in the CloudBase environment. */
export const CLOUDBASE_COLLECTIONS = [
  'cards',
  'pending',
  'members',
  'invites',
  'vehicles',
  'orders',
  'jobs',
  'jobItems',
  'audit',
  'tokens',
  'usage',
  'alerts',
  'outbox',
  'alertsSent',
  'alertWatch',
  'meta',
] as const satisfies readonly Collection[];
// Compile-time check that the list above names every Collection.
type AssertNone<T extends never> = T;
export type UnlistedCollections = AssertNone<Exclude<Collection, (typeof CLOUDBASE_COLLECTIONS)[number]>>;

// ---- The part of wx-server-sdk's database API this store uses (a stand-in can provide exactly this). ----

/** A query or update command made by `db.command`; opaque to the store. */
export type CloudbaseCommand = object;
export type CloudbaseData = Record<string, unknown>;

export interface CloudbaseDbCommand {
  eq(value: unknown): CloudbaseCommand;
  neq(value: unknown): CloudbaseCommand;
  gt(value: unknown): CloudbaseCommand;
  gte(value: unknown): CloudbaseCommand;
  lt(value: unknown): CloudbaseCommand;
  lte(value: unknown): CloudbaseCommand;
  in(values: unknown[]): CloudbaseCommand;
  and(...commands: CloudbaseCommand[]): CloudbaseCommand;
  set(value: unknown): CloudbaseCommand;
}

export interface CloudbaseQuery {
  where(condition: CloudbaseData): CloudbaseQuery;
  orderBy(field: string, direction: 'asc' | 'desc'): CloudbaseQuery;
  skip(n: number): CloudbaseQuery;
  limit(n: number): CloudbaseQuery;
  get(): Promise<{ data: CloudbaseData[] }>;
  count(): Promise<{ total: number }>;
  update(options: { data: CloudbaseData }): Promise<{ stats: { updated: number } }>;
}

export interface CloudbaseDocument {
  get(): Promise<{ data: CloudbaseData | null }>;
  set(options: { data: CloudbaseData }): Promise<unknown>;
  remove(): Promise<{ stats: { removed: number } }>;
}

export interface CloudbaseCollection extends CloudbaseQuery {
  doc(id: string): CloudbaseDocument;
  add(options: { data: CloudbaseData }): Promise<{ _id: string | number }>;
}

export interface CloudbaseDatabase {
  readonly command: CloudbaseDbCommand;
  collection(name: string): CloudbaseCollection;
}

// ---- Errors ----

function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const e = error as { errMsg?: unknown; message?: unknown } | null;
  return `${String(e?.errMsg ?? '')} ${String(e?.message ?? '')}`;
}

export function isNotFoundError(error: unknown): boolean {
  return /does not exist/i.test(errorText(error));
}

export function isDuplicateKeyError(error: unknown): boolean {
  const e = error as { code?: unknown; errCode?: unknown } | null;
  if (e && (e.code === 'DATABASE_DUPLICATE_WRITE' || e.errCode === 'DATABASE_DUPLICATE_WRITE')) return true;
  if (e && (e.code === 11000 || e.errCode === 11000)) return true;
  return /DATABASE_DUPLICATE_WRITE|E11000|duplicate key/i.test(errorText(error));
}

/** At most this many documents come back from one get() in a cloud function. */
export const CLOUDBASE_PAGE = 100;
const INCREMENT_ATTEMPTS = 100;

export class CloudbaseStore implements Store {
  constructor(private readonly db: CloudbaseDatabase) {}

  private get _() {
    return this.db.command;
  }

  private coll(collection: Collection): CloudbaseCollection {
    return this.db.collection(collection);
  }

  private command(c: Condition): unknown {
    const _ = this._;
    switch (c.kind) {
      case 'eq':
        return _.eq(c.value);
      case 'in':
        return _.in(c.values);
      case 'exists':
        return c.exists ? _.neq(null) : _.eq(null);
      case 'range': {
        const parts = c.bounds.map((b) => _[b.op](b.value));
        return parts.length === 1 ? parts[0] : _.and(...parts);
      }
    }
  }

  /** A Where as a CloudBase condition, optionally pinned to one `_id`. */
  private condition(where: Where | undefined, id?: string): CloudbaseData {
    const out: CloudbaseData = {};
    for (const c of parseWhere(where)) out[c.field] = this.command(c);
    if (id !== undefined) {
      const pin = this._.eq(id);
      out._id = '_id' in out ? this._.and(pin, out._id as CloudbaseCommand) : pin;
    }
    return out;
  }

  async get<T extends Doc>(collection: Collection, id: string): Promise<T | null> {
    assertId(id);
    try {
      const { data } = await this.coll(collection).doc(id).get();
      return (data ?? null) as T | null;
    } catch (error) {
      if (isNotFoundError(error)) return null;
      throw error;
    }
  }

  async insert<T extends Doc>(collection: Collection, doc: T): Promise<void> {
    assertDoc(doc);
    try {
      await this.coll(collection).add({ data: { ...doc } as CloudbaseData });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateKeyError(collection, doc._id);
      throw error;
    }
  }

  async put<T extends Doc>(collection: Collection, doc: T): Promise<void> {
    assertDoc(doc);
    const { _id: id, ...fields } = doc as Doc & CloudbaseData;
    if (Object.keys(fields).length > 0) {
      await this.coll(collection).doc(id).set({ data: fields });
      return;
    }
    // set() refuses empty data: a document that is only an _id is written as remove + add.
    await this.coll(collection).doc(id).remove();
    try {
      await this.coll(collection).add({ data: { _id: id } });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      await this.put(collection, doc);
    }
  }

  async update(collection: Collection, id: string, patch: Record<string, unknown>, expect?: Where): Promise<boolean> {
    assertId(id);
    const entries = patchEntries(id, patch);
    const cond = this.condition(expect, id);
    const query = this.coll(collection).where(cond);
    if (entries.length === 0) return (await query.count()).total > 0;
    const data: CloudbaseData = {};
    for (const [field, value] of entries) data[field] = this._.set(value);
    const { stats } = await query.update({ data });
    if (stats.updated > 0) return true;
    // Nothing modified: either nothing matched, or the document already held the patched values.
    return (await this.coll(collection).where(cond).count()).total > 0;
  }

  async increment(collection: Collection, id: string, field: string, by: number): Promise<number | null> {
    assertId(id);
    assertField(field);
    assertIncrement(by);
    if (field === '_id') throw new TypeError('cannot increment _id');
    for (let attempt = 0; attempt < INCREMENT_ATTEMPTS; attempt++) {
      const doc = await this.get<Doc & CloudbaseData>(collection, id);
      if (!doc) return null;
      const current = doc[field];
      if (current !== undefined && current !== null && typeof current !== 'number') {
        throw new TypeError(`${collection}/${id}.${field} is not a number`);
      }
      const base = typeof current === 'number' ? current : 0;
      const next = base + by;
      if (by === 0 && typeof current === 'number') return current;
      const cond: CloudbaseData = {
        _id: this._.eq(id),
        [field]: this._.eq(typeof current === 'number' ? current : null),
      };
      const { stats } = await this.coll(collection)
        .where(cond)
        .update({ data: { [field]: this._.set(next) } });
      if (stats.updated > 0) return next;
      // Another writer changed the field (or removed the document) in between: read again, after a short,
      // growing, random pause so that racing callers spread out.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(50, 2 * (attempt + 1))));
    }
    throw new Error(
      `increment of ${collection}/${id}.${field} gave up after ${INCREMENT_ATTEMPTS} conflicting attempts`,
    );
  }

  async remove(collection: Collection, id: string): Promise<boolean> {
    assertId(id);
    const { stats } = await this.coll(collection).doc(id).remove();
    return stats.removed > 0;
  }

  async find<T extends Doc>(collection: Collection, where?: Where, options?: FindOptions): Promise<T[]> {
    const { orderBy, skip, take } = normalizeFind(options);
    const cond = this.condition(where);
    if (take === 0) return [];
    let query = this.coll(collection).where(cond);
    const direction = orderBy?.direction ?? 'asc';
    if (orderBy && orderBy.field !== '_id') query = query.orderBy(orderBy.field, direction);
    // `_id` breaks ties, so pages of a sort on a non-unique field neither overlap nor skip documents.
    query = query.orderBy('_id', direction);
    const out: CloudbaseData[] = [];
    while (out.length < take) {
      const want = Math.min(CLOUDBASE_PAGE, take - out.length);
      const { data } = await query
        .skip(skip + out.length)
        .limit(want)
        .get();
      out.push(...data);
      if (data.length < want) break;
    }
    return out as T[];
  }

  async count(collection: Collection, where?: Where): Promise<number> {
    const { total } = await this.coll(collection).where(this.condition(where)).count();
    return total;
  }

  async ping(): Promise<boolean> {
    try {
      await this.coll('meta').where({}).count();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    // wx-server-sdk keeps no connection of its own to close.
  }
}
