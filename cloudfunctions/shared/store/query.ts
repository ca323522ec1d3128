// Checks and normalises what callers hand to a Store, so that SQLite and CloudBase accept and reject the same
// things: field names, ids, Where filters, find options and update patches.

import type { Doc, FindOptions, Scalar, Where } from './store';

/** A field name a store accepts: top-level, no dots, nothing that could be read as SQL or as a path. */
export const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const DEFAULT_TAKE = 100;
export const MAX_TAKE = 1000;

export type RangeOp = 'gt' | 'gte' | 'lt' | 'lte';
const RANGE_OPS: readonly RangeOp[] = ['gt', 'gte', 'lt', 'lte'];

/** One field's condition of a Where, in a form both stores translate. */
export type Condition =
  | { field: string; kind: 'eq'; value: Scalar }
  | { field: string; kind: 'in'; values: Scalar[] }
  | { field: string; kind: 'range'; bounds: { op: RangeOp; value: string | number }[] }
  | { field: string; kind: 'exists'; exists: boolean };

export function assertField(field: unknown): string {
  if (typeof field !== 'string' || !FIELD_NAME.test(field)) {
    throw new TypeError(`invalid field name ${JSON.stringify(field)}: expected ${FIELD_NAME.source}`);
  }
  return field;
}

export function assertId(id: unknown): string {
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`invalid document id ${JSON.stringify(id)}`);
  return id;
}

export function assertDoc(doc: unknown): Doc {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new TypeError('a document must be an object');
  assertId((doc as Doc)._id);
  return doc as Doc;
}

function isScalar(value: unknown): value is Scalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function scalar(field: string, value: unknown): Scalar {
  if (!isScalar(value))
    throw new TypeError(`where.${field}: ${String(value)} is not a string, finite number, boolean or null`);
  return value;
}

/** Validates a Where and turns it into conditions; every field must match (AND). */
export function parseWhere(where: Where | undefined): Condition[] {
  if (where === undefined) return [];
  if (typeof where !== 'object' || where === null || Array.isArray(where))
    throw new TypeError('where must be an object');
  const out: Condition[] = [];
  for (const [field, raw] of Object.entries(where)) {
    assertField(field);
    const value: unknown = raw;
    if (value === undefined) throw new TypeError(`where.${field} is undefined`);
    if (typeof value !== 'object' || value === null) {
      out.push({ field, kind: 'eq', value: scalar(field, value) });
      continue;
    }
    if (Array.isArray(value)) throw new TypeError(`where.${field}: use { in: [...] } for a list`);
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === 'in') {
      const list = (value as { in: unknown }).in;
      if (!Array.isArray(list)) throw new TypeError(`where.${field}.in must be an array`);
      out.push({ field, kind: 'in', values: list.map((item) => scalar(field, item)) });
    } else if (keys.length === 1 && keys[0] === 'exists') {
      const exists = (value as { exists: unknown }).exists;
      if (typeof exists !== 'boolean') throw new TypeError(`where.${field}.exists must be a boolean`);
      out.push({ field, kind: 'exists', exists });
    } else {
      const bounds: { op: RangeOp; value: string | number }[] = [];
      for (const key of keys) {
        if (!(RANGE_OPS as readonly string[]).includes(key))
          throw new TypeError(`where.${field}: unknown operator ${key}`);
        const bound = (value as Record<string, unknown>)[key];
        if (bound === undefined) continue;
        if (typeof bound !== 'string' && !(typeof bound === 'number' && Number.isFinite(bound))) {
          throw new TypeError(`where.${field}.${key} must be a string or a finite number`);
        }
        bounds.push({ op: key as RangeOp, value: bound });
      }
      if (bounds.length === 0) throw new TypeError(`where.${field}: a range needs at least one of gt, gte, lt, lte`);
      out.push({ field, kind: 'range', bounds });
    }
  }
  return out;
}

export interface NormalFind {
  orderBy: { field: string; direction: 'asc' | 'desc' } | undefined;
  skip: number;
  take: number;
}

export function normalizeFind(options: FindOptions | undefined): NormalFind {
  const skip = options?.skip ?? 0;
  const take = options?.take ?? DEFAULT_TAKE;
  if (!Number.isSafeInteger(skip) || skip < 0) throw new RangeError(`skip must be a non-negative integer, got ${skip}`);
  if (!Number.isSafeInteger(take) || take < 0 || take > MAX_TAKE) {
    throw new RangeError(`take must be an integer from 0 to ${MAX_TAKE}, got ${take}`);
  }
  let orderBy: NormalFind['orderBy'];
  if (options?.orderBy) {
    const { field, direction } = options.orderBy;
    assertField(field);
    if (direction !== 'asc' && direction !== 'desc') throw new TypeError(`orderBy.direction must be asc or desc`);
    orderBy = { field, direction };
  }
  return { orderBy, skip, take };
}

/**
 * The fields a patch sets: `undefined` values dropped, names validated. `_id` may appear only with the
 * document's own id (it is then dropped); a patch cannot move a document to another id.
 */
export function patchEntries(id: string, patch: Record<string, unknown>): [string, unknown][] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch))
    throw new TypeError('patch must be an object');
  const out: [string, unknown][] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    assertField(field);
    if (field === '_id') {
      if (value !== id) throw new TypeError(`a patch cannot change _id (${id} → ${String(value)})`);
      continue;
    }
    out.push([field, value]);
  }
  return out;
}

export function assertIncrement(by: unknown): number {
  if (typeof by !== 'number' || !Number.isFinite(by)) throw new TypeError(`increment by must be a finite number`);
  return by;
}
