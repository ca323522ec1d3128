// A STAND-IN for the CloudBase database, in memory. CloudBase itself cannot run here (a query without cloud
// credentials rejects after a network try), so CloudbaseStore is tested against this instead.
//
// It provides exactly the wx-server-sdk database calls CloudbaseStore uses — `collection(name)`,
// `.doc(id).get()/set({data})/remove()`, `.add({data})`, `.where(cond).orderBy(f, dir).skip(n).limit(n).get()`,
// `.where(cond).update({data})`, `.where(cond).count()` (plus `.where(cond).remove()`), and `db.command`'s
// eq/neq/gt/gte/lt/lte/in/exists/and/set/inc/remove — with the semantics of wx-server-sdk 4.0.2 over
// CloudBase's MongoDB, as read from the SDK sources:
// - a collection must exist, else every call rejects with -502005 "database collection not exists";
// - `get()` returns at most 100 documents (a cloud function's limit); `limit()` defaults to it as well;
//   `limit`/`skip` must be integers and the order direction "asc" or "desc" (thrown at once, as the SDK does);
// - `doc(id).get()` of a missing id rejects: "document.get:fail document with _id <id> does not exist", errCode -1;
// - `add` of an existing `_id` rejects with MongoDB's E11000 duplicate-key text, errCode -502001;
// - `where(cond).update({data})` resolves `{ stats: { updated } }` counting the documents whose content changed
//   (MongoDB's nModified), applies to every match, each one atomically; plain objects in update data are merged
//   field by field (the SDK flattens them into dot paths, an empty object is dropped), `_.set(v)` replaces;
//   update data must be a non-empty object without `_id`;
// - `doc(id).set({data})` replaces the whole document or creates it; data without `_id`, non-empty, no commands;
// - matching is MongoDB's: equality with null also matches a missing field, comparisons only within one type,
//   strings compared by their UTF-8 bytes, an array field matches when one element does; sorting uses
//   MongoDB's order of types (null < numbers < strings < objects < arrays < booleans);
// - each call completes atomically, on a later turn of the event loop, so concurrent callers interleave.

import { isDeepStrictEqual } from 'node:util';
import { randomBytes } from 'node:crypto';
import type {
  CloudbaseCollection,
  CloudbaseData,
  CloudbaseDatabase,
  CloudbaseDocument,
  CloudbaseQuery,
} from '../../cloudfunctions/shared/store/cloudbase';

/** A cloud function gets at most this many documents from one get(). */
export const GET_LIMIT = 100;

type QueryOp = 'eq' | 'neq' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'exists';

class QueryCommand {
  constructor(
    readonly operator: QueryOp,
    readonly operand: unknown,
  ) {}
}
class LogicCommand {
  constructor(
    readonly operator: 'and',
    readonly operands: unknown[],
  ) {}
}
class UpdateCommand {
  constructor(
    readonly operator: 'set' | 'inc' | 'remove',
    readonly operand: unknown,
  ) {}
}

export const command = {
  eq: (v: unknown) => new QueryCommand('eq', v),
  neq: (v: unknown) => new QueryCommand('neq', v),
  gt: (v: unknown) => new QueryCommand('gt', v),
  gte: (v: unknown) => new QueryCommand('gte', v),
  lt: (v: unknown) => new QueryCommand('lt', v),
  lte: (v: unknown) => new QueryCommand('lte', v),
  in: (v: unknown[]) => {
    if (!Array.isArray(v)) throw new Error('in: the argument must be an array');
    return new QueryCommand('in', v);
  },
  exists: (v: boolean) => new QueryCommand('exists', v),
  and: (...operands: unknown[]) => new LogicCommand('and', operands),
  set: (v: unknown) => new UpdateCommand('set', v),
  inc: (v: number) => new UpdateCommand('inc', v),
  remove: () => new UpdateCommand('remove', undefined),
};

// ---- Errors shaped as wx-server-sdk's toSDKError makes them ----

const ERR_TEXT: Record<number, string> = {
  [-501007]: 'invalid parameters',
  [-502001]: 'database request fail',
  [-502005]: 'database collection not exists',
};

export type SdkError = Error & { errCode: number; errMsg: string };

function sdkError(api: string, errCode: number, detail: string): SdkError {
  const message =
    errCode === -1 ? `${api}:fail ${detail}` : `${api}:fail ${errCode} ${ERR_TEXT[errCode] ?? ''}. ${detail}`;
  return Object.assign(new Error(message), { errCode, errMsg: message });
}

// ---- Values ----

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
const isCommand = (v: unknown) => v instanceof QueryCommand || v instanceof LogicCommand || v instanceof UpdateCommand;

/** A copy as the database would store it (EJSON drops undefined fields). */
function clone<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : clone(v))) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = clone(v);
    return out as T;
  }
  return value;
}

/** MongoDB's order of types: null < numbers < strings < objects < arrays < booleans < dates. */
function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v === 'number') return 2;
  if (typeof v === 'string') return 3;
  if (Array.isArray(v)) return 5;
  if (typeof v === 'boolean') return 8;
  if (v instanceof Date) return 9;
  return 4;
}

function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 1:
      return 0;
    case 2:
      return (a as number) - (b as number);
    case 3:
      return Buffer.compare(Buffer.from(a as string, 'utf8'), Buffer.from(b as string, 'utf8'));
    case 8:
      return Number(a) - Number(b);
    case 9:
      return (a as Date).getTime() - (b as Date).getTime();
    default:
      return Buffer.compare(Buffer.from(JSON.stringify(a)), Buffer.from(JSON.stringify(b)));
  }
}

const sameValue = (a: unknown, b: unknown) =>
  typeRank(a) === typeRank(b) && (typeRank(a) === 2 || typeRank(a) === 3 ? a === b : isDeepStrictEqual(a, b));

function getPath(doc: Record<string, unknown>, path: string): unknown {
  let cur: unknown = doc;
  for (const key of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

function setPath(doc: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = doc;
  for (const key of keys.slice(0, -1)) {
    if (!isPlainObject(cur[key])) cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

function deletePath(doc: Record<string, unknown>, path: string): void {
  const keys = path.split('.');
  const parent = keys.length === 1 ? doc : getPath(doc, keys.slice(0, -1).join('.'));
  if (isPlainObject(parent)) delete parent[keys[keys.length - 1]];
}

// ---- Matching ----

function equalsMongo(value: unknown, operand: unknown): boolean {
  if (operand === null) {
    return value === undefined || value === null || (Array.isArray(value) && value.includes(null));
  }
  if (sameValue(value, operand)) return true;
  return Array.isArray(value) && value.some((v) => sameValue(v, operand));
}

function compareMongo(value: unknown, op: 'gt' | 'gte' | 'lt' | 'lte', operand: unknown): boolean {
  const one = (v: unknown) => {
    if (v === undefined || typeRank(v) !== typeRank(operand)) return false;
    const c = compareValues(v, operand);
    return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
  };
  return one(value) || (Array.isArray(value) && value.some(one));
}

function matchesCommand(value: unknown, cmd: unknown): boolean {
  if (cmd instanceof LogicCommand) return cmd.operands.every((c) => matchesCommand(value, c));
  if (cmd instanceof QueryCommand) {
    switch (cmd.operator) {
      case 'eq':
        return equalsMongo(value, cmd.operand);
      case 'neq':
        return !equalsMongo(value, cmd.operand);
      case 'in':
        return (cmd.operand as unknown[]).some((x) => equalsMongo(value, x));
      case 'exists':
        return (value !== undefined) === Boolean(cmd.operand);
      default:
        return compareMongo(value, cmd.operator, cmd.operand);
    }
  }
  if (cmd instanceof UpdateCommand) throw new Error('an update command cannot be used in a query');
  if (isPlainObject(cmd) || Array.isArray(cmd)) {
    throw new Error('stand-in: nested object and array conditions are not modelled (CloudbaseStore sends none)');
  }
  return equalsMongo(value, cmd);
}

function matches(doc: Record<string, unknown>, cond: CloudbaseData): boolean {
  return Object.entries(cond).every(([path, c]) => c === undefined || matchesCommand(getPath(doc, path), c));
}

// ---- Updates ----

function applyMerge(doc: Record<string, unknown>, data: Record<string, unknown>, api: string, prefix = ''): void {
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    if (value instanceof UpdateCommand) {
      if (value.operator === 'set') setPath(doc, path, clone(value.operand));
      else if (value.operator === 'remove') deletePath(doc, path);
      else {
        const current = getPath(doc, path);
        if (current !== undefined && typeof current !== 'number') {
          throw sdkError(api, -502001, `[FailedOperation] Cannot apply $inc to a value of non-numeric type`);
        }
        setPath(doc, path, (current ?? 0) + (value.operand as number));
      }
    } else if (isCommand(value)) {
      throw sdkError(api, -502001, '[FailedOperation] a query command cannot be used in update data');
    } else if (isPlainObject(value)) {
      applyMerge(doc, value, api, path); // merged field by field, as the SDK flattens it; {} changes nothing
    } else {
      setPath(doc, path, clone(value));
    }
  }
}

function containsCommand(value: unknown): boolean {
  if (isCommand(value)) return true;
  if (Array.isArray(value)) return value.some(containsCommand);
  return isPlainObject(value) && Object.values(value).some(containsCommand);
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

// ---- The database ----

type Docs = Map<string, Record<string, unknown>>;

export interface CallRecord {
  api: string;
  collection: string;
  /** For collection.get: the limit asked for and the number of documents returned. */
  limit?: number;
  returned?: number;
}

export class MemoryCloudDatabase implements CloudbaseDatabase {
  readonly command = command;
  /** Every call made, in order (tests check e.g. that no get() asked for more than 100). */
  readonly calls: CallRecord[] = [];
  private readonly collections = new Map<string, Docs>();

  constructor(collections: readonly string[]) {
    for (const name of collections) this.collections.set(name, new Map());
  }

  createCollection(name: string): void {
    if (!this.collections.has(name)) this.collections.set(name, new Map());
  }

  collection(name: string): CloudbaseCollection {
    return new MemoryCollection(this, name);
  }

  /** Runs one call atomically on a later turn, failing as CloudBase does when the collection is missing. */
  async run<T>(api: string, name: string, work: (docs: Docs) => T): Promise<T> {
    await turn();
    this.calls.push({ api, collection: name });
    const docs = this.collections.get(name);
    if (!docs) {
      throw sdkError(
        api,
        -502005,
        `[ResourceNotFound] Db or Table not exist: ${name}. Please check your request, but if the problem cannot be solved, contact us.`,
      );
    }
    return work(docs);
  }
}

interface QueryState {
  filter: CloudbaseData;
  order: [string, 1 | -1][];
  offset: number;
  limit: number | undefined;
}

class MemoryQuery implements CloudbaseQuery {
  constructor(
    protected readonly db: MemoryCloudDatabase,
    protected readonly name: string,
    protected readonly state: QueryState = { filter: {}, order: [], offset: 0, limit: undefined },
  ) {}

  private with(change: Partial<QueryState>): MemoryQuery {
    return new MemoryQuery(this.db, this.name, { ...this.state, ...change });
  }

  where(condition: CloudbaseData): CloudbaseQuery {
    if (!isPlainObject(condition)) throw new Error('QueryParamTypeError: where() takes an object');
    const keys = Object.keys(condition);
    if (keys.length && keys.every((k) => condition[k] === undefined)) {
      throw new Error('QueryParamValueError: every value of the condition is undefined');
    }
    return this.with({ filter: condition }); // a new where() replaces the condition, as in the SDK
  }

  orderBy(field: string, direction: 'asc' | 'desc'): CloudbaseQuery {
    if (typeof field !== 'string' || field === '') throw new Error('orderBy: invalid field path');
    if (direction !== 'asc' && direction !== 'desc') throw new Error('orderBy: direction must be asc or desc');
    const order = this.state.order.filter(([f]) => f !== field);
    const at = this.state.order.findIndex(([f]) => f === field);
    const entry: [string, 1 | -1] = [field, direction === 'desc' ? -1 : 1];
    if (at >= 0) order.splice(at, 0, entry);
    else order.push(entry);
    return this.with({ order });
  }

  skip(n: number): CloudbaseQuery {
    if (!Number.isInteger(n) || n < 0) throw new Error('offset must be a non-negative integer');
    return this.with({ offset: n });
  }

  limit(n: number): CloudbaseQuery {
    if (!Number.isInteger(n)) throw new Error('limit must be an integer');
    return this.with({ limit: n });
  }

  private matching(docs: Docs): Record<string, unknown>[] {
    return [...docs.values()].filter((doc) => matches(doc, this.state.filter));
  }

  get(): Promise<{ data: CloudbaseData[]; errMsg: string }> {
    return this.db.run('collection.get', this.name, (docs) => {
      let list = this.matching(docs);
      if (this.state.order.length) {
        list = [...list].sort((a, b) => {
          for (const [field, dir] of this.state.order) {
            const c = compareValues(getPath(a, field), getPath(b, field));
            if (c !== 0) return c * dir;
          }
          return 0;
        });
      }
      const limit = Math.min(this.state.limit || GET_LIMIT, GET_LIMIT);
      const data = list.slice(this.state.offset, this.state.offset + limit).map(clone);
      const record = this.db.calls[this.db.calls.length - 1];
      record.limit = this.state.limit;
      record.returned = data.length;
      return { data, errMsg: 'collection.get:ok' };
    });
  }

  count(): Promise<{ total: number; errMsg: string }> {
    return this.db.run('collection.count', this.name, (docs) => ({
      total: this.matching(docs).length,
      errMsg: 'collection.count:ok',
    }));
  }

  update(options: { data: CloudbaseData }): Promise<{ stats: { updated: number }; errMsg: string }> {
    const api = 'collection.update';
    return this.db.run(api, this.name, (docs) => {
      const data = options?.data;
      if (!isPlainObject(data) || Object.keys(data).length === 0) {
        throw sdkError(api, -501007, 'options.data must be a non-empty object');
      }
      if ('_id' in data) throw sdkError(api, -501007, '不能更新_id的值');
      let updated = 0;
      for (const doc of this.matching(docs)) {
        const next = clone(doc);
        applyMerge(next, data, api);
        if (!isDeepStrictEqual(next, doc)) {
          docs.set(String(doc._id), next);
          updated++;
        }
      }
      return { stats: { updated }, errMsg: `${api}:ok` };
    });
  }

  remove(): Promise<{ stats: { removed: number }; errMsg: string }> {
    return this.db.run('collection.remove', this.name, (docs) => {
      const gone = this.matching(docs);
      for (const doc of gone) docs.delete(String(doc._id));
      return { stats: { removed: gone.length }, errMsg: 'collection.remove:ok' };
    });
  }
}

class MemoryCollection extends MemoryQuery implements CloudbaseCollection {
  doc(id: string): CloudbaseDocument {
    return new MemoryDocument(this.db, this.name, id);
  }

  add(options: { data: CloudbaseData }): Promise<{ _id: string; errMsg: string }> {
    const api = 'collection.add';
    return this.db.run(api, this.name, (docs) => {
      const data = options?.data;
      if (!isPlainObject(data)) throw sdkError(api, -501007, 'options.data must be an object');
      if (containsCommand(data)) throw sdkError(api, -502001, '[FailedOperation] commands are not allowed in add');
      const id = data._id === undefined ? randomBytes(16).toString('hex') : data._id;
      if (typeof id !== 'string' && typeof id !== 'number')
        throw sdkError(api, -501007, '_id must be a string or number');
      const key = String(id);
      if (docs.has(key)) {
        // The shape CloudBase gives through wx-server-sdk 4.0.2: the server's DATABASE_DUPLICATE_WRITE code is
        // lost, MongoDB's E11000 text stays in the message.
        throw sdkError(
          api,
          -502001,
          `[FailedOperation] E11000 duplicate key error collection: stand-in.${this.name} index: _id_ dup key: { _id: ${JSON.stringify(key)} }`,
        );
      }
      docs.set(key, { ...clone(data), _id: id });
      return { _id: key, errMsg: `${api}:ok` };
    });
  }
}

class MemoryDocument implements CloudbaseDocument {
  constructor(
    private readonly db: MemoryCloudDatabase,
    private readonly name: string,
    private readonly id: string,
  ) {}

  get(): Promise<{ data: CloudbaseData; errMsg: string }> {
    const api = 'document.get';
    return this.db.run(api, this.name, (docs) => {
      const doc = docs.get(String(this.id));
      if (!doc) throw sdkError(api, -1, `document with _id ${this.id} does not exist`);
      return { data: clone(doc), errMsg: `${api}:ok` };
    });
  }

  set(options: { data: CloudbaseData }): Promise<{ _id: string; stats: { updated: number; created: number } }> {
    const api = 'document.set';
    return this.db.run(api, this.name, (docs) => {
      const data = options?.data;
      if (!isPlainObject(data)) throw sdkError(api, -501007, 'options.data must be an object');
      if (Object.keys(data).length === 0) throw sdkError(api, -1, 'options.data must not be empty');
      if ('_id' in data) throw sdkError(api, -501007, '不能更新_id的值');
      if (containsCommand(data)) throw sdkError(api, -502001, 'update operator complicit');
      const key = String(this.id);
      const before = docs.get(key);
      const next = { _id: this.id, ...clone(data) };
      docs.set(key, next);
      return {
        _id: this.id,
        stats: { updated: before && !isDeepStrictEqual(before, next) ? 1 : 0, created: before ? 0 : 1 },
      };
    });
  }

  remove(): Promise<{ stats: { removed: number }; errMsg: string }> {
    const api = 'document.remove';
    return this.db.run(api, this.name, (docs) => ({
      stats: { removed: docs.delete(String(this.id)) ? 1 : 0 },
      errMsg: `${api}:ok`,
    }));
  }
}
