// The Store contract, run against SqliteStore on a real SQLite file and against CloudbaseStore over the
// in-memory stand-in of wx-server-sdk's database (CloudBase itself cannot run here). Each test gets a fresh,
// empty store. Then what only one implementation has: SQLite's sharing of a file between instances and
// processes and its guard on field names; CloudbaseStore's paging and its reading of SDK errors.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import {
  DuplicateKeyError,
  type Collection,
  type Doc,
  type Store,
  type Where,
} from '../../cloudfunctions/shared/store/store';
import { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import {
  CLOUDBASE_COLLECTIONS,
  CloudbaseStore,
  isDuplicateKeyError,
  isNotFoundError,
} from '../../cloudfunctions/shared/store/cloudbase';
import { GET_LIMIT, MemoryCloudDatabase, command } from './memory-cloudbase';
import { tempDir } from '../helpers/tmp';

type AnyDoc = Doc & Record<string, unknown>;
const ids = (docs: Doc[]) => docs.map((d) => d._id);
const sortedIds = (docs: Doc[]) => ids(docs).sort();

async function insertAll(store: Store, collection: Collection, docs: AnyDoc[]): Promise<void> {
  await Promise.all(docs.map((doc) => store.insert(collection, doc)));
}

function storeContract(name: string, open: () => Store): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    beforeEach(() => {
      store = open();
    });
    afterEach(async () => {
      await store.close();
    });

    describe('get, insert, put, remove', () => {
      test('get of a missing id is null', async () => {
        expect(await store.get('members', 'nobody')).toBeNull();
      });

      test('insert then get returns the same document', async () => {
        const doc = { _id: 'o-driver-1', role: 'driver', vehicleIds: ['v1'], name: '张三' };
        await store.insert('members', doc);
        expect(await store.get('members', 'o-driver-1')).toEqual(doc);
      });

      test.each([
        ['members', 'oOPENID123', { role: 'driver' }, { role: 'manager' }],
        ['invites', 'K7Q2M9', { role: 'staff', createdBy: 'a' }, { role: 'manager', createdBy: 'b' }],
        ['orders', 'FC20240101000001', { amountFen: 1000, state: 'created' }, { amountFen: 1, state: 'paid' }],
      ] as const)(
        'insert of an existing _id in %s throws DuplicateKeyError and keeps the first',
        async (coll, id, a, b) => {
          await store.insert(coll, { _id: id, ...a });
          const error = await store.insert(coll, { _id: id, ...b }).catch((e: unknown) => e);
          expect(error).toBeInstanceOf(DuplicateKeyError);
          expect((error as DuplicateKeyError).collection).toBe(coll);
          expect((error as DuplicateKeyError).id).toBe(id);
          expect(await store.get(coll, id)).toEqual({ _id: id, ...a });
        },
      );

      test('20 concurrent inserts of one _id: exactly one succeeds, the rest get DuplicateKeyError', async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, (_, i) => store.insert('invites', { _id: 'SAMECODE', by: `m${i}` })),
        );
        const ok = results.filter((r) => r.status === 'fulfilled');
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        expect(ok).toHaveLength(1);
        expect(failed).toHaveLength(19);
        for (const f of failed) expect(f.reason).toBeInstanceOf(DuplicateKeyError);
        expect(await store.count('invites')).toBe(1);
      });

      test('the same _id in two collections are two documents', async () => {
        await store.insert('vehicles', { _id: 'x1', kind: 'vehicle' });
        await store.insert('jobs', { _id: 'x1', kind: 'job' });
        expect(await store.get('vehicles', 'x1')).toEqual({ _id: 'x1', kind: 'vehicle' });
        expect(await store.get('jobs', 'x1')).toEqual({ _id: 'x1', kind: 'job' });
        expect(await store.remove('jobs', 'x1')).toBe(true);
        expect(await store.get('vehicles', 'x1')).not.toBeNull();
      });

      test('put inserts a new document and replaces an existing one whole', async () => {
        await store.put('vehicles', { _id: 'v1', plate: '粤B12345', remark: 'old', tags: ['a'] });
        expect(await store.get('vehicles', 'v1')).toEqual({ _id: 'v1', plate: '粤B12345', remark: 'old', tags: ['a'] });
        await store.put('vehicles', { _id: 'v1', plate: '粤B54321' });
        expect(await store.get('vehicles', 'v1')).toEqual({ _id: 'v1', plate: '粤B54321' });
        expect(await store.count('vehicles')).toBe(1);
      });

      test('put of a document that is only an _id stores exactly that', async () => {
        await store.put('meta', { _id: 'flag', on: true });
        await store.put('meta', { _id: 'flag' });
        expect(await store.get('meta', 'flag')).toEqual({ _id: 'flag' });
      });

      test('remove answers true once, then false, and the document is gone', async () => {
        await store.insert('alerts', { _id: 'a1', threshold: 80 });
        expect(await store.remove('alerts', 'a1')).toBe(true);
        expect(await store.remove('alerts', 'a1')).toBe(false);
        expect(await store.get('alerts', 'a1')).toBeNull();
        expect(await store.remove('alerts', 'never')).toBe(false);
      });

      test('an empty or non-string _id is rejected', async () => {
        await expect(store.insert('meta', { _id: '' })).rejects.toThrow(TypeError);
        await expect(store.get('meta', '')).rejects.toThrow(TypeError);
        await expect(store.put('meta', { _id: 7 } as unknown as Doc)).rejects.toThrow(TypeError);
      });
    });

    describe('update', () => {
      test('without expect: sets the patched top-level fields, ignores undefined, keeps the rest', async () => {
        await store.insert('orders', { _id: 'o1', state: 'created', amountFen: 990, note: 'keep' });
        expect(await store.update('orders', 'o1', { state: 'paid', paidAt: 1700000000000, note: undefined })).toBe(
          true,
        );
        expect(await store.get('orders', 'o1')).toEqual({
          _id: 'o1',
          state: 'paid',
          amountFen: 990,
          note: 'keep',
          paidAt: 1700000000000,
        });
      });

      test('nested objects and arrays in a patch replace the old value whole', async () => {
        await store.insert('jobs', {
          _id: 'j1',
          progress: { done: 3, failed: 1, total: 10 },
          tags: ['a', 'b'],
          meta: { x: 1 },
        });
        expect(await store.update('jobs', 'j1', { progress: { done: 4 }, tags: ['c'], meta: {}, gone: null })).toBe(
          true,
        );
        expect(await store.get('jobs', 'j1')).toEqual({
          _id: 'j1',
          progress: { done: 4 },
          tags: ['c'],
          meta: {},
          gone: null,
        });
      });

      test('with a matching expect it applies; with a non-matching one it answers false and changes nothing', async () => {
        await store.insert('orders', { _id: 'o2', state: 'created', amountFen: 500 });
        expect(await store.update('orders', 'o2', { state: 'closed' }, { state: 'paid' })).toBe(false);
        expect(await store.get('orders', 'o2')).toEqual({ _id: 'o2', state: 'created', amountFen: 500 });
        expect(await store.update('orders', 'o2', { state: 'paid' }, { state: 'created', amountFen: 500 })).toBe(true);
        expect((await store.get<AnyDoc>('orders', 'o2'))?.state).toBe('paid');
        expect(await store.update('orders', 'o2', { state: 'paid' }, { state: 'created' })).toBe(false);
      });

      test('expect takes every Where form: in, range and exists', async () => {
        await store.insert('tokens', { _id: 'platform', version: 3, leaseUntil: 100, leaseOwner: null });
        expect(await store.update('tokens', 'platform', { a: 1 }, { version: { in: [1, 2] } })).toBe(false);
        expect(await store.update('tokens', 'platform', { a: 2 }, { version: { in: [3, 4] } })).toBe(true);
        expect(await store.update('tokens', 'platform', { a: 3 }, { leaseUntil: { lte: 99 } })).toBe(false);
        expect(await store.update('tokens', 'platform', { a: 4 }, { leaseUntil: { gte: 100, lt: 101 } })).toBe(true);
        expect(await store.update('tokens', 'platform', { a: 5 }, { leaseOwner: { exists: true } })).toBe(false);
        expect(await store.update('tokens', 'platform', { leaseOwner: 'me' }, { leaseOwner: { exists: false } })).toBe(
          true,
        );
        expect(await store.update('tokens', 'platform', { leaseOwner: 'you' }, { leaseOwner: { exists: false } })).toBe(
          false,
        );
        expect(await store.get('tokens', 'platform')).toEqual({
          _id: 'platform',
          version: 3,
          leaseUntil: 100,
          leaseOwner: 'me',
          a: 4,
        });
      });

      test('a patch equal to the current values still counts as applied', async () => {
        await store.insert('tokens', { _id: 't', refreshAt: 0, expiresAt: 0, accessToken: 'abc' });
        expect(await store.update('tokens', 't', { refreshAt: 0, expiresAt: 0 }, { accessToken: 'abc' })).toBe(true);
        expect(await store.update('tokens', 't', { refreshAt: 0 })).toBe(true);
        expect(await store.update('tokens', 't', { refreshAt: 0 }, { accessToken: 'other' })).toBe(false);
      });

      test('an empty patch answers whether the document exists and matches expect', async () => {
        await store.insert('meta', { _id: 'm', v: 1 });
        expect(await store.update('meta', 'm', {}, { v: 1 })).toBe(true);
        expect(await store.update('meta', 'm', { x: undefined }, { v: 2 })).toBe(false);
        expect(await store.update('meta', 'missing', {})).toBe(false);
      });

      test('update of a missing document answers false and creates nothing', async () => {
        expect(await store.update('orders', 'nope', { state: 'paid' })).toBe(false);
        expect(await store.update('orders', 'nope', { state: 'paid' }, { state: 'created' })).toBe(false);
        expect(await store.get('orders', 'nope')).toBeNull();
      });

      test('a patch may repeat the _id but not change it', async () => {
        await store.insert('vehicles', { _id: 'v9', plate: 'A' });
        expect(await store.update('vehicles', 'v9', { _id: 'v9', plate: 'B' })).toBe(true);
        await expect(store.update('vehicles', 'v9', { _id: 'v10', plate: 'C' })).rejects.toThrow(/_id/);
        expect(await store.get('vehicles', 'v9')).toEqual({ _id: 'v9', plate: 'B' });
      });

      test('50 concurrent compare-and-sets with the same expect: exactly one wins', async () => {
        await store.insert('tokens', { _id: 'lease', version: 1, owner: null });
        const results = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            store.update('tokens', 'lease', { version: 2, owner: `w${i}` }, { version: 1 }),
          ),
        );
        const winners = results.flatMap((won, i) => (won ? [i] : []));
        expect(winners).toHaveLength(1);
        expect(await store.get('tokens', 'lease')).toEqual({ _id: 'lease', version: 2, owner: `w${winners[0]}` });
      });

      test('20 concurrent claims guarded by { exists: false }: exactly one wins', async () => {
        await store.insert('meta', { _id: 'bootstrap', code: 'C0DE', usedBy: null });
        const results = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            store.update('meta', 'bootstrap', { usedBy: `o${i}` }, { usedBy: { exists: false } }),
          ),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.get<AnyDoc>('meta', 'bootstrap'))?.usedBy).toBe(`o${results.indexOf(true)}`);
      });
    });

    describe('increment', () => {
      test('a missing or null field counts as 0; the new value is returned', async () => {
        await store.insert('jobs', { _id: 'j', failed: null });
        expect(await store.increment('jobs', 'j', 'done', 1)).toBe(1);
        expect(await store.increment('jobs', 'j', 'done', 5)).toBe(6);
        expect(await store.increment('jobs', 'j', 'done', -2)).toBe(4);
        expect(await store.increment('jobs', 'j', 'failed', 2)).toBe(2);
        expect(await store.increment('jobs', 'j', 'ratio', 0.25)).toBe(0.25);
        expect(await store.get('jobs', 'j')).toEqual({ _id: 'j', failed: 2, done: 4, ratio: 0.25 });
      });

      test('of a missing document answers null and creates nothing', async () => {
        expect(await store.increment('jobs', 'ghost', 'done', 1)).toBeNull();
        expect(await store.get('jobs', 'ghost')).toBeNull();
      });

      test('of a field that is not a number rejects and changes nothing', async () => {
        await store.insert('jobs', { _id: 'js', done: 'three' });
        await expect(store.increment('jobs', 'js', 'done', 1)).rejects.toThrow(/not a number/);
        expect(await store.get('jobs', 'js')).toEqual({ _id: 'js', done: 'three' });
      });

      test('50 concurrent increments sum exactly and each caller gets its own new value', async () => {
        await store.insert('jobs', { _id: 'jc', done: 0 });
        const values = await Promise.all(Array.from({ length: 50 }, () => store.increment('jobs', 'jc', 'done', 1)));
        expect((await store.get<AnyDoc>('jobs', 'jc'))?.done).toBe(50);
        expect([...values].sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      });

      test('50 concurrent increments by different amounts: no update is lost, each result follows another', async () => {
        await store.insert('jobs', { _id: 'jd', done: 0 });
        const by = Array.from({ length: 50 }, (_, i) => i + 1);
        const values = (await Promise.all(by.map((n) => store.increment('jobs', 'jd', 'done', n)))) as number[];
        const total = by.reduce((a, b) => a + b, 0);
        expect((await store.get<AnyDoc>('jobs', 'jd'))?.done).toBe(total);
        // Applied one after another: every caller's starting value is 0 or another caller's result.
        const starts = values.map((v, i) => v - by[i]).sort((a, b) => a - b);
        const results = [...values].sort((a, b) => a - b);
        expect(starts).toEqual([0, ...results.slice(0, -1)]);
        expect(results[results.length - 1]).toBe(total);
      });
    });

    describe('find and count', () => {
      // Values of every JSON type under one field, to see that equality and ranges keep types apart.
      const typed: AnyDoc[] = [
        { _id: 'd1', v: 1 },
        { _id: 'd2', v: true },
        { _id: 'd3', v: '1' },
        { _id: 'd4', v: null },
        { _id: 'd5' },
        { _id: 'd6', v: 0 },
        { _id: 'd7', v: false },
        { _id: 'd8', v: { a: 1 } },
        { _id: 'd9', v: 'b' },
      ];

      test.each<[string, Where, string[]]>([
        ['a number', { v: 1 }, ['d1']],
        ['true', { v: true }, ['d2']],
        ['a string', { v: '1' }, ['d3']],
        ['null (null or missing)', { v: null }, ['d4', 'd5']],
        ['zero', { v: 0 }, ['d6']],
        ['false', { v: false }, ['d7']],
        ['in, of mixed types', { v: { in: [1, '1', false] } }, ['d1', 'd3', 'd7']],
        ['in, with null', { v: { in: [null, 'b'] } }, ['d4', 'd5', 'd9']],
        ['in, empty', { v: { in: [] } }, []],
        ['exists: true', { v: { exists: true } }, ['d1', 'd2', 'd3', 'd6', 'd7', 'd8', 'd9']],
        ['exists: false (missing or null)', { v: { exists: false } }, ['d4', 'd5']],
        ['a number range compares numbers only', { v: { gte: 0 } }, ['d1', 'd6']],
        ['a string range compares strings only', { v: { gt: '0' } }, ['d3', 'd9']],
        ['a range with bounds of two types matches nothing', { v: { gte: 0, lte: 'z' } }, []],
        ['_id equal', { _id: 'd3' }, ['d3']],
        ['_id in', { _id: { in: ['d2', 'd8', 'zz'] } }, ['d2', 'd8']],
        ['_id range', { _id: { gt: 'd7' } }, ['d8', 'd9']],
      ])('where %s', async (_label, where, expected) => {
        await insertAll(store, 'usage', typed);
        expect(sortedIds(await store.find('usage', where))).toEqual(expected);
        expect(await store.count('usage', where)).toBe(expected.length);
      });

      test('ranges gt, gte, lt, lte on numbers and on ISO time strings', async () => {
        await insertAll(
          store,
          'orders',
          Array.from({ length: 10 }, (_, i) => ({
            _id: `o${i + 1}`,
            n: i + 1,
            createdAt: `2024-${String(i + 1).padStart(2, '0')}-15T08:00:00.000Z`,
          })),
        );
        expect(sortedIds(await store.find('orders', { n: { gte: 3, lte: 5 } }))).toEqual(['o3', 'o4', 'o5']);
        expect(sortedIds(await store.find('orders', { n: { gt: 3, lt: 5 } }))).toEqual(['o4']);
        expect(sortedIds(await store.find('orders', { n: { lt: 2 } }))).toEqual(['o1']);
        expect(sortedIds(await store.find('orders', { n: { gt: 9 } }))).toEqual(['o10']);
        expect(sortedIds(await store.find('orders', { n: { gt: 2.5, lte: 3 } }))).toEqual(['o3']);
        expect(
          sortedIds(
            await store.find('orders', {
              createdAt: { gte: '2024-03-01T00:00:00.000Z', lt: '2024-05-15T08:00:00.000Z' },
            }),
          ),
        ).toEqual(['o3', 'o4']);
      });

      test('several fields are all required (AND)', async () => {
        await insertAll(store, 'members', [
          { _id: 'm1', role: 'driver', active: true, joined: 1 },
          { _id: 'm2', role: 'driver', active: false, joined: 2 },
          { _id: 'm3', role: 'manager', active: true, joined: 3 },
          { _id: 'm4', role: 'driver', active: true, joined: 4 },
        ]);
        expect(sortedIds(await store.find('members', { role: 'driver', active: true }))).toEqual(['m1', 'm4']);
        expect(
          sortedIds(
            await store.find('members', { role: { in: ['driver', 'staff'] }, joined: { gte: 2 }, active: true }),
          ),
        ).toEqual(['m4']);
        expect(await store.count('members', { role: 'driver' })).toBe(3);
        expect(await store.count('members')).toBe(4);
        expect(await store.count('members', {})).toBe(4);
        expect(await store.count('vehicles')).toBe(0);
      });

      test('orderBy asc and desc; missing values first in asc; ties broken by _id in the same direction', async () => {
        await insertAll(store, 'audit', [
          { _id: 'a', score: 2 },
          { _id: 'b', score: 1 },
          { _id: 'c', score: 2 },
          { _id: 'd', score: 3 },
          { _id: 'e' },
        ]);
        expect(ids(await store.find('audit', {}, { orderBy: { field: 'score', direction: 'asc' } }))).toEqual([
          'e',
          'b',
          'a',
          'c',
          'd',
        ]);
        expect(ids(await store.find('audit', undefined, { orderBy: { field: 'score', direction: 'desc' } }))).toEqual([
          'd',
          'c',
          'a',
          'b',
          'e',
        ]);
        expect(
          ids(await store.find('audit', { score: { gte: 2 } }, { orderBy: { field: '_id', direction: 'desc' } })),
        ).toEqual(['d', 'c', 'a']);
        expect(ids(await store.find('audit'))).toEqual(['a', 'b', 'c', 'd', 'e']);
      });

      test('strings sort by code point, including Chinese and emoji', async () => {
        const names = ['b', 'a', 'Z', '粤B', '京A', 'é', '🚚', 'aa'];
        await insertAll(
          store,
          'vehicles',
          names.map((plate, i) => ({ _id: `v${i}`, plate })),
        );
        const asc = (await store.find<AnyDoc>('vehicles', {}, { orderBy: { field: 'plate', direction: 'asc' } })).map(
          (d) => d.plate,
        );
        expect(asc).toEqual(['Z', 'a', 'aa', 'b', 'é', '京A', '粤B', '🚚']);
      });

      test('skip and take page through the results without overlap', async () => {
        await insertAll(
          store,
          'jobItems',
          Array.from({ length: 25 }, (_, i) => ({ _id: `job1:${String(i).padStart(3, '0')}`, jobId: 'job1', seq: i })),
        );
        const byPage = async (skip: number) =>
          (
            await store.find<AnyDoc>(
              'jobItems',
              { jobId: 'job1' },
              { orderBy: { field: 'seq', direction: 'asc' }, skip, take: 10 },
            )
          ).map((d) => d.seq);
        const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
        expect(await byPage(0)).toEqual(range(0, 10));
        expect(await byPage(10)).toEqual(range(10, 20));
        expect(await byPage(20)).toEqual(range(20, 25));
        expect(await byPage(25)).toEqual([]);
        expect(await store.find('jobItems', {}, { take: 0 })).toEqual([]);
      });

      test('take up to 1000 across more than 100 documents; 100 by default', async () => {
        await insertAll(
          store,
          'usage',
          Array.from({ length: 1050 }, (_, i) => ({ _id: `u${String(i).padStart(4, '0')}`, n: i, even: i % 2 === 0 })),
        );
        const asc = await store.find<AnyDoc>('usage', {}, { orderBy: { field: 'n', direction: 'asc' }, take: 1000 });
        expect(asc.map((d) => d.n)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
        const rest = await store.find<AnyDoc>(
          'usage',
          {},
          { orderBy: { field: 'n', direction: 'asc' }, skip: 1000, take: 1000 },
        );
        expect(rest.map((d) => d.n)).toEqual(Array.from({ length: 50 }, (_, i) => 1000 + i));
        const desc = await store.find<AnyDoc>(
          'usage',
          { even: true },
          { orderBy: { field: 'n', direction: 'desc' }, take: 1000 },
        );
        expect(desc.map((d) => d.n)).toEqual(Array.from({ length: 525 }, (_, i) => 1048 - 2 * i));
        expect(await store.find('usage')).toHaveLength(100);
        expect(await store.find('usage', {}, { skip: 150, take: 250 })).toHaveLength(250);
        expect(await store.count('usage')).toBe(1050);
        expect(await store.count('usage', { n: { gte: 1000 } })).toBe(50);
      });

      test('take above 1000, a negative skip or a fractional take are rejected', async () => {
        await expect(store.find('usage', {}, { take: 1001 })).rejects.toThrow(RangeError);
        await expect(store.find('usage', {}, { skip: -1 })).rejects.toThrow(RangeError);
        await expect(store.find('usage', {}, { take: 2.5 })).rejects.toThrow(RangeError);
      });

      test('malformed Where values are rejected', async () => {
        await expect(store.find('usage', { v: { near: 1 } } as unknown as Where)).rejects.toThrow(/unknown operator/);
        await expect(store.find('usage', { v: undefined } as unknown as Where)).rejects.toThrow(/undefined/);
        await expect(store.find('usage', { v: [1] } as unknown as Where)).rejects.toThrow(/in/);
        await expect(store.count('usage', { v: { gte: true } } as unknown as Where)).rejects.toThrow(
          /string or a finite number/,
        );
        await expect(store.find('usage', { v: { in: [{}] } } as unknown as Where)).rejects.toThrow(TypeError);
      });
    });

    describe('values', () => {
      const rich = {
        _id: 'rt-粤B12345',
        int: 42,
        neg: -7,
        zero: 0,
        float: 3.14159,
        maxSafe: Number.MAX_SAFE_INTEGER,
        yes: true,
        no: false,
        nil: null,
        empty: '',
        text: '粤B12345 车队物联卡 ✓ 🚚 — "quoted" \'single\' \\ back\nnew line',
        iccid: '8986011234567890123X',
        nested: { a: { b: [1, 'two', { three: 3, four: [true, null] }], c: null }, list: [], obj: {} },
        matrix: [[1, 2], [3], []],
      };

      test('insert, put, get and find round-trip numbers, booleans, null, nesting and unicode', async () => {
        await store.insert('audit', rich);
        const got = await store.get<AnyDoc>('audit', rich._id);
        expect(got).toStrictEqual(rich);
        expect(typeof got?.int).toBe('number');
        expect(typeof got?.yes).toBe('boolean');
        await store.put('audit', { ...rich, _id: 'rt-2' });
        expect(await store.get('audit', 'rt-2')).toStrictEqual({ ...rich, _id: 'rt-2' });
        expect(ids(await store.find('audit', { text: rich.text }))).toEqual(['rt-2', rich._id].sort());
        expect(
          ids(await store.find('audit', { iccid: '8986011234567890123X', int: 42, yes: true, nil: null })),
        ).toHaveLength(2);
      });

      test('update round-trips the values it sets', async () => {
        await store.insert('audit', { _id: 'u' });
        const { _id, ...fields } = rich;
        expect(_id).toBe(rich._id);
        expect(await store.update('audit', 'u', fields)).toBe(true);
        expect(await store.get('audit', 'u')).toStrictEqual({ _id: 'u', ...fields });
      });
    });

    describe('field names', () => {
      const bad = ["a'); DROP TABLE docs;--", 'a.b', 'x y', '$inc', '1st', '', 'doc)--'];

      test.each(bad)('%j is rejected in a Where, orderBy, patch and increment', async (field) => {
        await store.insert('members', { _id: 'm', role: 'driver' });
        await expect(store.find('members', { [field]: 1 })).rejects.toThrow(/invalid field name/);
        await expect(store.count('members', { [field]: { exists: true } })).rejects.toThrow(/invalid field name/);
        await expect(store.find('members', {}, { orderBy: { field, direction: 'asc' } })).rejects.toThrow(
          /invalid field name/,
        );
        await expect(store.update('members', 'm', { [field]: 1 })).rejects.toThrow(/invalid field name/);
        await expect(store.update('members', 'm', { role: 'x' }, { [field]: 1 })).rejects.toThrow(/invalid field name/);
        await expect(store.increment('members', 'm', field, 1)).rejects.toThrow(/invalid field name/);
        expect(await store.get('members', 'm')).toEqual({ _id: 'm', role: 'driver' });
      });
    });

    test('ping answers true when the store is ready', async () => {
      expect(await store.ping()).toBe(true);
    });
  });
}

// ---- SQLite ----

const tmp = tempDir('fleet-store-');
afterAll(() => tmp.remove());
let fileNo = 0;
storeContract('SqliteStore on a SQLite file', () => new SqliteStore(tmp.file(`contract-${++fileNo}.db`)));

// ---- CloudBase over the stand-in ----

storeContract(
  'CloudbaseStore over the in-memory wx-server-sdk stand-in',
  () => new CloudbaseStore(new MemoryCloudDatabase(CLOUDBASE_COLLECTIONS)),
);

// ---- SQLite only ----

describe('SqliteStore only', () => {
  const opened: SqliteStore[] = [];
  const open = (file: string) => {
    const store = new SqliteStore(file);
    opened.push(store);
    return store;
  };
  afterAll(async () => {
    for (const store of opened) await store.close();
  });

  test('creates missing parent directories and puts the file in WAL mode', async () => {
    const file = join(tmp.dir, 'nested', 'deeper', 'fleet.db');
    const store = open(file);
    await store.insert('meta', { _id: 'x', v: 1 });
    expect(existsSync(file)).toBe(true);
    const raw = new Database(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(raw.prepare('SELECT doc FROM docs WHERE collection = ? AND id = ?').get('meta', 'x')).toEqual({
        doc: '{"_id":"x","v":1}',
      });
    } finally {
      raw.close();
    }
  });

  test('two instances on one file see each other’s writes', async () => {
    const file = tmp.file('shared.db');
    const a = open(file);
    const b = open(file);
    await a.insert('members', { _id: 'o1', role: 'driver' });
    expect(await b.get('members', 'o1')).toEqual({ _id: 'o1', role: 'driver' });
    expect(await b.update('members', 'o1', { role: 'manager' }, { role: 'driver' })).toBe(true);
    expect(await a.find('members', { role: 'manager' })).toEqual([{ _id: 'o1', role: 'manager' }]);
    await expect(b.insert('members', { _id: 'o1', role: 'staff' })).rejects.toBeInstanceOf(DuplicateKeyError);
    expect(await a.increment('members', 'o1', 'logins', 1)).toBe(1);
    expect(await b.increment('members', 'o1', 'logins', 1)).toBe(2);
    expect(await a.remove('members', 'o1')).toBe(true);
    expect(await b.count('members')).toBe(0);
  });

  test('a compare-and-set race across two instances has exactly one winner', async () => {
    const file = tmp.file('race.db');
    const a = open(file);
    const b = open(file);
    await a.insert('tokens', { _id: 'platform', version: 1 });
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? a : b).update('tokens', 'platform', { version: 2, by: i }, { version: 1 }),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await a.get('tokens', 'platform')).toEqual({ _id: 'platform', version: 2, by: results.indexOf(true) });
  });

  test('writers in 3 processes on one file: increments sum exactly, one compare-and-set winner', async () => {
    const file = tmp.file('processes.db');
    const setup = open(file);
    await setup.insert('meta', { _id: 'ready', n: 0 });
    await setup.insert('meta', { _id: 'counter', n: 0 });
    await setup.insert('tokens', { _id: 'claim', version: 1 });
    const workers = 3;
    const increments = 150;
    const script = join(__dirname, 'fixtures', 'sqlite-worker.ts');
    const run = promisify(execFile);
    const outputs = await Promise.all(
      Array.from({ length: workers }, (_, i) =>
        run(process.execPath, ['--import', 'tsx', script, file, `p${i}`, String(increments), String(workers)], {
          timeout: 60_000,
        }),
      ),
    );
    const reports = outputs.map(
      ({ stdout }) => JSON.parse(stdout.trim()) as { worker: string; won: boolean; values: number[] },
    );
    const winners = reports.filter((r) => r.won);
    expect(winners).toHaveLength(1);
    expect(await setup.get('tokens', 'claim')).toEqual({ _id: 'claim', version: 2, owner: winners[0].worker });
    expect((await setup.get<AnyDoc>('meta', 'counter'))?.n).toBe(workers * increments);
    const all = reports.flatMap((r) => r.values).sort((x, y) => x - y);
    expect(all).toEqual(Array.from({ length: workers * increments }, (_, i) => i + 1));
  }, 60_000);

  test('an injection-shaped field name never reaches SQL: the table and its rows survive', async () => {
    const store = open(tmp.file('injection.db'));
    await store.insert('members', { _id: 'm1', role: 'driver' });
    for (const field of ["a'); DROP TABLE docs;--", "role') IS NOT NULL OR ('1'='1", 'role = 1 OR 1'] as const) {
      await expect(store.find('members', { [field]: 'x' })).rejects.toThrow(/invalid field name/);
      await expect(store.update('members', 'm1', { [field]: 'x' })).rejects.toThrow(/invalid field name/);
      await expect(store.increment('members', 'm1', field, 1)).rejects.toThrow(/invalid field name/);
      await expect(store.find('members', {}, { orderBy: { field, direction: 'desc' } })).rejects.toThrow(
        /invalid field name/,
      );
    }
    expect(await store.find('members')).toEqual([{ _id: 'm1', role: 'driver' }]);
    // Values are bound, so SQL-looking values are only data.
    await store.insert('members', { _id: "x'); DROP TABLE docs;--", role: "' OR '1'='1" });
    expect(await store.find('members', { role: "' OR '1'='1" })).toHaveLength(1);
    expect(await store.count('members')).toBe(2);
  });

  test('queries on indexed fields use their expression index', async () => {
    const store = open(tmp.file('plan.db'));
    expect(store.queryPlan('members', { openid: 'o1' }).join('\n')).toMatch(/docs_by_openid/);
    expect(store.queryPlan('jobItems', { jobId: 'j1', status: 'done' }).join('\n')).toMatch(/docs_by_(jobId|status)/);
    expect(store.queryPlan('orders', {}, { orderBy: { field: 'createdAt', direction: 'desc' } }).join('\n')).toMatch(
      /docs_by_createdAt/,
    );
    expect(store.queryPlan('audit', { iccid: '8986' }).join('\n')).toMatch(/docs_by_iccid/);
    // A list of values is read from the index once the planner has statistics showing the field is selective.
    await insertAll(
      store,
      'audit',
      Array.from({ length: 300 }, (_, i) => ({ _id: `a${i}`, iccid: `8986${i}`, status: i % 2 ? 'ok' : 'failed' })),
    );
    store.optimize();
    expect(store.queryPlan('audit', { iccid: { in: ['89861', '89862'] } }).join('\n')).toMatch(/docs_by_iccid/);
  });

  test('ping is true while open; after close ping is false and calls reject; close twice is fine', async () => {
    const store = new SqliteStore(tmp.file('close.db'));
    expect(await store.ping()).toBe(true);
    await store.close();
    expect(await store.ping()).toBe(false);
    await expect(store.get('meta', 'x')).rejects.toThrow();
    await expect(store.close()).resolves.toBeUndefined();
  });
});

// ---- CloudbaseStore and its stand-in only ----

describe('CloudbaseStore and the wx-server-sdk stand-in', () => {
  test('find pages with get() calls of at most 100 documents', async () => {
    const db = new MemoryCloudDatabase(CLOUDBASE_COLLECTIONS);
    const store = new CloudbaseStore(db);
    await insertAll(
      store,
      'usage',
      Array.from({ length: 350 }, (_, i) => ({ _id: `u${String(i).padStart(3, '0')}`, n: i })),
    );
    db.calls.length = 0;
    const found = await store.find<AnyDoc>(
      'usage',
      {},
      { orderBy: { field: 'n', direction: 'asc' }, skip: 20, take: 1000 },
    );
    expect(found.map((d) => d.n)).toEqual(Array.from({ length: 330 }, (_, i) => 20 + i));
    const gets = db.calls.filter((c) => c.api === 'collection.get');
    expect(gets.length).toBe(4);
    for (const call of gets) {
      expect(call.limit).toBeLessThanOrEqual(GET_LIMIT);
      expect(call.returned).toBeLessThanOrEqual(GET_LIMIT);
    }
  });

  test('the stand-in returns at most 100 documents per get(), whatever the limit', async () => {
    const db = new MemoryCloudDatabase(['usage']);
    await Promise.all(Array.from({ length: 150 }, (_, i) => db.collection('usage').add({ data: { _id: `k${i}` } })));
    expect((await db.collection('usage').limit(1000).get()).data).toHaveLength(100);
    expect((await db.collection('usage').where({}).get()).data).toHaveLength(100);
    expect((await db.collection('usage').skip(120).limit(100).get()).data).toHaveLength(30);
    expect(() => db.collection('usage').limit(2.5)).toThrow();
  });

  test('the stand-in rejects doc().get() of a missing id as wx-server-sdk does; the store maps it to null', async () => {
    const db = new MemoryCloudDatabase(['members']);
    const error = await db
      .collection('members')
      .doc('nobody')
      .get()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as { errCode: number }).errCode).toBe(-1);
    expect((error as Error).message).toBe('document.get:fail document with _id nobody does not exist');
    expect(isNotFoundError(error)).toBe(true);
    expect(await new CloudbaseStore(db).get('members', 'nobody')).toBeNull();
  });

  test('the stand-in rejects add() of an existing _id with the duplicate-key error; the store throws DuplicateKeyError', async () => {
    const db = new MemoryCloudDatabase(['orders']);
    await db.collection('orders').add({ data: { _id: 'FC1', a: 1 } });
    const error = await db
      .collection('orders')
      .add({ data: { _id: 'FC1', a: 2 } })
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^collection\.add:fail -502001 .*E11000 duplicate key error/);
    expect(isDuplicateKeyError(error)).toBe(true);
    await expect(new CloudbaseStore(db).insert('orders', { _id: 'FC1', a: 3 })).rejects.toBeInstanceOf(
      DuplicateKeyError,
    );
  });

  test('duplicate-key and not-found errors are told apart from other failures', () => {
    expect(isDuplicateKeyError({ code: 'DATABASE_DUPLICATE_WRITE', message: 'x' })).toBe(true);
    expect(
      isDuplicateKeyError(new Error('collection.add:fail -501001 resource system error. DATABASE_DUPLICATE_WRITE')),
    ).toBe(true);
    expect(isDuplicateKeyError(new Error('collection.add:fail -502005 database collection not exists.'))).toBe(false);
    expect(isDuplicateKeyError(new Error('collection.add:fail -501003 exceed request limit'))).toBe(false);
    expect(
      isNotFoundError(new Error('document.get:fail -502005 database collection not exists. Db or Table not exist')),
    ).toBe(false);
  });

  test('other SDK failures pass through: a missing collection is an error, not null or a duplicate', async () => {
    const store = new CloudbaseStore(new MemoryCloudDatabase(['meta']));
    await expect(store.get('members', 'o1')).rejects.toThrow(/-502005 database collection not exists/);
    const error = await store.insert('members', { _id: 'o1' }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(DuplicateKeyError);
    expect((error as Error).message).toMatch(/-502005/);
    expect(await store.ping()).toBe(true);
    expect(await new CloudbaseStore(new MemoryCloudDatabase([])).ping()).toBe(false);
  });

  test('the stand-in counts only changed documents in stats.updated and merges plain nested objects', async () => {
    const db = new MemoryCloudDatabase(['jobs']);
    await db.collection('jobs').add({ data: { _id: 'j', p: { done: 1, total: 5 }, s: 'a' } });
    expect(
      (
        await db
          .collection('jobs')
          .where({ _id: 'j' })
          .update({ data: { s: 'a' } })
      ).stats.updated,
    ).toBe(0);
    expect(
      (
        await db
          .collection('jobs')
          .where({ _id: 'j' })
          .update({ data: { p: { done: 2 } } })
      ).stats.updated,
    ).toBe(1);
    expect((await db.collection('jobs').doc('j').get()).data).toEqual({ _id: 'j', p: { done: 2, total: 5 }, s: 'a' });
    await db
      .collection('jobs')
      .where({ _id: 'j' })
      .update({ data: { p: command.set({ done: 3 }) } });
    expect((await db.collection('jobs').doc('j').get()).data).toEqual({ _id: 'j', p: { done: 3 }, s: 'a' });
    await expect(
      db
        .collection('jobs')
        .where({ _id: 'j' })
        .update({ data: { _id: 'k' } }),
    ).rejects.toThrow(/_id/);
    await expect(db.collection('jobs').doc('j').set({ data: {} })).rejects.toThrow(/empty/);
  });

  test('the stand-in matches as MongoDB does: eq(null) finds missing fields, ranges stay within a type', async () => {
    const db = new MemoryCloudDatabase(['usage']);
    const coll = db.collection('usage');
    await coll.add({ data: { _id: 'a', v: 5 } });
    await coll.add({ data: { _id: 'b', v: '5' } });
    await coll.add({ data: { _id: 'c' } });
    await coll.add({ data: { _id: 'd', v: null } });
    const idsOf = async (cond: Record<string, unknown>) =>
      (await coll.where(cond).orderBy('_id', 'asc').get()).data.map((d) => d._id);
    expect(await idsOf({ v: command.eq(null) })).toEqual(['c', 'd']);
    expect(await idsOf({ v: command.neq(null) })).toEqual(['a', 'b']);
    expect(await idsOf({ v: command.exists(true) })).toEqual(['a', 'b', 'd']);
    expect(await idsOf({ v: command.gte(0) })).toEqual(['a']);
    expect(await idsOf({ v: command.and(command.gt('4'), command.lt('6')) })).toEqual(['b']);
    expect(await idsOf({ v: command.in([5, null]) })).toEqual(['a', 'c', 'd']);
  });
});
