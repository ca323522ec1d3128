// The Store on SQLite (better-sqlite3): a developer's machine, the dev host and tests.
//
// One table of JSON documents keyed by (collection, id); filters and sorting go through json_extract, with
// expression indexes on the fields queried often. The file is opened in WAL mode with a busy timeout, so
// several SqliteStore instances — in one process or in several — can share one file: every write is a
// single statement, which SQLite runs atomically under its write lock, and a waiting writer retries for up
// to `busyTimeoutMs` instead of failing with SQLITE_BUSY.
//
// Values are always bound as parameters. Field names cannot be parameters where an index must be usable
// (`json_extract(doc, '$.status')` has to appear literally), so every field name is checked against
// FIELD_NAME (`^[A-Za-z_][A-Za-z0-9_]*$`) before it is written into a statement; anything else is rejected.

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import {
  DuplicateKeyError,
  type Collection,
  type Doc,
  type FindOptions,
  type Scalar,
  type Store,
  type Where,
} from './store';
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

/** Fields with an expression index (per collection): the ones the services filter or sort on often. */
export const DEFAULT_INDEXED_FIELDS: readonly string[] = ['openid', 'iccid', 'status', 'createdAt', 'jobId'];

export interface SqliteStoreOptions {
  /** How long a statement waits for another connection's write lock before failing. Default 5000 ms. */
  busyTimeoutMs?: number;
  /** Top-level fields to index; default DEFAULT_INDEXED_FIELDS. */
  indexedFields?: readonly string[];
}

type Param = string | number | bigint | null;
interface Sql {
  sql: string;
  params: Param[];
}

const NUMBER_TYPES = `('integer', 'real')`;
const STATEMENT_CACHE_LIMIT = 256;

/** The SQL expression of a field's value and of its JSON type. `_id` is the id column. */
function valueExpr(field: string): string {
  return field === '_id' ? 'id' : `json_extract(doc, '$.${assertField(field)}')`;
}
function typeExpr(field: string): string {
  return field === '_id' ? `'text'` : `json_type(doc, '$.${assertField(field)}')`;
}

/** Equality with JSON types kept apart: 1 is not true, '1' is not 1, null matches a missing field. */
function equalSql(field: string, value: Scalar): Sql {
  const v = valueExpr(field);
  const t = typeExpr(field);
  if (value === null) return { sql: `${v} IS NULL`, params: [] };
  if (typeof value === 'boolean') return { sql: `${t} = ?`, params: [value ? 'true' : 'false'] };
  if (typeof value === 'number') return { sql: `(${v} = ? AND ${t} IN ${NUMBER_TYPES})`, params: [value] };
  return { sql: `(${v} = ? AND ${t} = 'text')`, params: [value as string] };
}

function conditionSql(c: Condition): Sql {
  const v = valueExpr(c.field);
  const t = typeExpr(c.field);
  switch (c.kind) {
    case 'eq':
      return equalSql(c.field, c.value);
    case 'exists':
      return { sql: c.exists ? `${v} IS NOT NULL` : `${v} IS NULL`, params: [] };
    case 'in': {
      const strings = c.values.filter((x): x is string => typeof x === 'string');
      const numbers = c.values.filter((x): x is number => typeof x === 'number');
      const parts: Sql[] = [];
      if (strings.length) {
        parts.push({ sql: `(${v} IN (${strings.map(() => '?').join(', ')}) AND ${t} = 'text')`, params: strings });
      }
      if (numbers.length) {
        parts.push({
          sql: `(${v} IN (${numbers.map(() => '?').join(', ')}) AND ${t} IN ${NUMBER_TYPES})`,
          params: numbers,
        });
      }
      for (const b of [true, false]) if (c.values.includes(b)) parts.push(equalSql(c.field, b));
      if (c.values.includes(null)) parts.push(equalSql(c.field, null));
      if (parts.length === 0) return { sql: '0', params: [] };
      return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, params: parts.flatMap((p) => p.params) };
    }
    case 'range': {
      const ops = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
      const parts: string[] = [];
      const params: Param[] = [];
      // Like CloudBase (MongoDB), a bound compares only with values of its own type.
      const types = new Set(c.bounds.map((b) => typeof b.value));
      if (types.size > 1) return { sql: '0', params: [] };
      for (const b of c.bounds) {
        parts.push(`${v} ${ops[b.op]} ?`);
        params.push(b.value);
      }
      parts.push(types.has('number') ? `${t} IN ${NUMBER_TYPES}` : `${t} = 'text'`);
      return { sql: `(${parts.join(' AND ')})`, params };
    }
  }
}

function whereSql(collection: Collection, where: Where | undefined): Sql {
  const parts: Sql[] = [{ sql: 'collection = ?', params: [collection] }, ...parseWhere(where).map(conditionSql)];
  return { sql: parts.map((p) => p.sql).join(' AND '), params: parts.flatMap((p) => p.params) };
}

/** Integers go in as SQLite integers (better-sqlite3 binds every JS number as a real otherwise). */
function num(n: number): number | bigint {
  return Number.isSafeInteger(n) ? BigInt(n) : n;
}

export class SqliteStore implements Store {
  private readonly db: Database.Database;
  private readonly cache = new Map<string, Database.Statement>();
  private closed = false;

  constructor(
    readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    const indexed = (options.indexedFields ?? DEFAULT_INDEXED_FIELDS).map(assertField).filter((f) => f !== '_id');
    if (path !== ':memory:' && !path.startsWith('file:')) mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS docs (
      collection TEXT NOT NULL,
      id TEXT NOT NULL,
      doc TEXT NOT NULL CHECK (json_valid(doc)),
      PRIMARY KEY (collection, id)
    )`);
    // A rowid table on purpose: WITHOUT ROWID makes the planner prefer scanning the (collection, id) key over
    // these indexes.
    for (const field of indexed) {
      // `id` last: an equality on the field then also yields the default order (by id) with no sort, and an
      // orderBy on the field (ties broken by id) reads the index in order.
      this.db.exec(`CREATE INDEX IF NOT EXISTS docs_by_${field} ON docs (collection, ${valueExpr(field)}, id)`);
    }
    this.db.pragma('analysis_limit = 400');
    this.db.exec('PRAGMA optimize = 0x10002');
  }

  /**
   * Refreshes the planner's statistics where they are missing or stale (cheap: `analysis_limit` bounds it).
   * Runs on open and on close; a long-running host may call it now and then, as SQLite recommends.
   */
  optimize(): void {
    this.db.exec('PRAGMA optimize');
  }

  private stmt(sql: string): Database.Statement {
    let s = this.cache.get(sql);
    if (!s) {
      if (this.cache.size >= STATEMENT_CACHE_LIMIT) this.cache.clear();
      s = this.db.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  async get<T extends Doc>(collection: Collection, id: string): Promise<T | null> {
    const row = this.stmt('SELECT doc FROM docs WHERE collection = ? AND id = ?').get(collection, assertId(id)) as
      { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : null;
  }

  async insert<T extends Doc>(collection: Collection, doc: T): Promise<void> {
    assertDoc(doc);
    try {
      this.stmt('INSERT INTO docs (collection, id, doc) VALUES (?, ?, ?)').run(
        collection,
        doc._id,
        JSON.stringify(doc),
      );
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new DuplicateKeyError(collection, doc._id);
      }
      throw error;
    }
  }

  async put<T extends Doc>(collection: Collection, doc: T): Promise<void> {
    assertDoc(doc);
    this.stmt(
      `INSERT INTO docs (collection, id, doc) VALUES (?, ?, ?)
       ON CONFLICT (collection, id) DO UPDATE SET doc = excluded.doc`,
    ).run(collection, doc._id, JSON.stringify(doc));
  }

  async update(collection: Collection, id: string, patch: Record<string, unknown>, expect?: Where): Promise<boolean> {
    assertId(id);
    const entries = patchEntries(id, patch);
    const where = whereSql(collection, expect);
    // One UPDATE … WHERE: the compare (expect) and the set happen under one write lock.
    const set = entries.length
      ? `json_set(doc, ${entries.map(([field]) => `'$.${assertField(field)}', json(?)`).join(', ')})`
      : 'doc';
    const info = this.stmt(`UPDATE docs SET doc = ${set} WHERE ${where.sql} AND id = ?`).run(
      ...entries.map(([, value]) => JSON.stringify(value)),
      ...where.params,
      id,
    );
    return info.changes > 0;
  }

  async increment(collection: Collection, id: string, field: string, by: number): Promise<number | null> {
    assertId(id);
    assertField(field);
    assertIncrement(by);
    if (field === '_id') throw new TypeError('cannot increment _id');
    const v = valueExpr(field);
    const t = typeExpr(field);
    const row = this.stmt(
      `UPDATE docs SET doc = json_set(doc, '$.${field}', COALESCE(${v}, 0) + ?)
       WHERE collection = ? AND id = ? AND (${t} IS NULL OR ${t} IN ('null', 'integer', 'real'))
       RETURNING ${v} AS value`,
    ).get(num(by), collection, id) as { value: number } | undefined;
    if (row) return row.value;
    if ((await this.get(collection, id)) === null) return null;
    throw new TypeError(`${collection}/${id}.${field} is not a number`);
  }

  async remove(collection: Collection, id: string): Promise<boolean> {
    return this.stmt('DELETE FROM docs WHERE collection = ? AND id = ?').run(collection, assertId(id)).changes > 0;
  }

  private findSql(collection: Collection, where: Where | undefined, options: FindOptions | undefined): Sql {
    const { orderBy, skip, take } = normalizeFind(options);
    const w = whereSql(collection, where);
    const dir = orderBy?.direction === 'desc' ? 'DESC' : 'ASC';
    // `id` breaks ties, so pages of a sort on a non-unique field neither overlap nor skip documents.
    const order = orderBy && orderBy.field !== '_id' ? `${valueExpr(orderBy.field)} ${dir}, id ${dir}` : `id ${dir}`;
    return {
      sql: `SELECT doc FROM docs WHERE ${w.sql} ORDER BY ${order} LIMIT ? OFFSET ?`,
      params: [...w.params, take, skip],
    };
  }

  async find<T extends Doc>(collection: Collection, where?: Where, options?: FindOptions): Promise<T[]> {
    const { sql, params } = this.findSql(collection, where, options);
    const rows = this.stmt(sql).all(...params) as { doc: string }[];
    return rows.map((row) => JSON.parse(row.doc) as T);
  }

  async count(collection: Collection, where?: Where): Promise<number> {
    const w = whereSql(collection, where);
    return (this.stmt(`SELECT COUNT(*) AS n FROM docs WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
  }

  /** SQLite's plan for a find (diagnostics and tests: shows which index a query uses). */
  queryPlan(collection: Collection, where?: Where, options?: FindOptions): string[] {
    const { sql, params } = this.findSql(collection, where, options);
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
  }

  async ping(): Promise<boolean> {
    if (this.closed) return false;
    try {
      return (this.stmt('SELECT 1 AS ok').get() as { ok: number }).ok === 1;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cache.clear();
    try {
      this.optimize();
    } catch {
      // Statistics are only an optimisation; a busy file must not stop the close.
    } finally {
      this.db.close();
    }
  }
}
