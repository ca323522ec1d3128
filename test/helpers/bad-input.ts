// The bad-input suites' one table: every action of every function (typings/api.ts), with a request that
// passes validation, and the inputs a careless or hostile client sends generated from it. Also the call
// (bounded: a hang becomes a failure) and the judge of each answer.
import type { Api, ErrorCode } from '../../typings/api';
import { MANAGER, pickCards } from './cards';
import { createOrder } from './pay';
import type { TestStack } from './stack';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Cards, an order and a job of the suite's stack that the samples name. */
export interface Fixtures {
  /** An active card for reads. */
  readIccid: string;
  /** Active cards the samples act on (stop, edit, tag), one each. */
  stopIccid: string;
  updateIccid: string;
  jobIccid: string;
  /** An order the manager placed, and another one the manager cancels. */
  outTradeNo: string;
  cancelOutTradeNo: string;
  jobId: string;
}

/** The fixtures on a suite's stack: four active cards, two orders the manager placed, and a job's id. */
export async function makeFixtures(stack: TestStack, jobIdFor: (iccid: string) => Promise<string>): Promise<Fixtures> {
  const { others } = await pickCards(stack);
  const [read, stop, update, job] = others.map((c) => c.iccid);
  const [order, cancelled] = [await createOrder(stack, MANAGER, read), await createOrder(stack, MANAGER, read)];
  return {
    readIccid: read,
    stopIccid: stop,
    updateIccid: update,
    jobIccid: job,
    outTradeNo: order.outTradeNo,
    cancelOutTradeNo: cancelled.outTradeNo,
    jobId: await jobIdFor(job),
  };
}

export interface ActionCase {
  /** A request that passes validation. */
  sample: Record<string, Json>;
  /** What the sample answers the manager: ok (default), or this error, which is not about the input's shape. */
  answers?: ErrorCode;
  /** Optional fields left out of the sample, with a value of the right type: varied like the sample's. */
  extra?: Record<string, Json>;
  /** Fields of the sample that may be left out. */
  optional?: string[];
  /** Fields that take null. */
  nullable?: string[];
  /** Anyone with a WeChat identity may call it (the others answer a stranger FORBIDDEN). */
  anyone?: boolean;
}

/** Every action of every function: a missing or unknown action does not compile. */
export type ActionTable = { [F in keyof Api]: { [A in keyof Api[F]]: ActionCase } };

export function actionTable(f: Fixtures): ActionTable {
  const paging = { skip: 0, take: 5 };
  return {
    login: {
      login: { sample: { code: 'not-a-real-code' }, answers: 'LOGIN_FAILED', anyone: true },
      // The manager is a member already: a code is not even looked at.
      redeemInvite: { sample: { code: 'ZZZZ2222' }, answers: 'CONFLICT', anyone: true },
      me: { sample: {}, anyone: true },
    },
    cards: {
      list: {
        sample: paging,
        extra: { keyword: '89', state: 'active', carrier: 'cmcc', tag: '坏输入', vehicleId: 'veh-none' },
      },
      summary: { sample: {} },
      detail: { sample: { iccid: f.readIccid } },
      usage: { sample: { iccid: f.readIccid } },
      history: { sample: { iccid: f.readIccid, days: 7 } },
      setNetwork: { sample: { iccid: f.stopIccid, op: 'stop', reason: '坏输入测试' } },
      location: { sample: { iccid: f.readIccid } },
      locations: { sample: {} },
      realName: { sample: { iccid: f.readIccid } },
      update: {
        sample: { iccid: f.updateIccid, remark: '坏输入测试', tags: ['坏输入'], vehicleId: null },
        optional: ['remark', 'tags', 'vehicleId'],
        nullable: ['vehicleId'],
      },
      lookup: { sample: { code: f.readIccid } },
    },
    pay: {
      categories: { sample: {} },
      products: { sample: { iccid: f.readIccid } },
      create: { sample: { iccid: f.readIccid, productId: 'P-M-1G' } },
      order: { sample: { outTradeNo: f.outTradeNo } },
      resume: { sample: { outTradeNo: f.outTradeNo } },
      cancel: { sample: { outTradeNo: f.cancelOutTradeNo } },
      orders: { sample: paging },
      stats: { sample: { from: '2026-01-01', to: '2026-01-31' } },
      devPay: { sample: { outTradeNo: f.outTradeNo, result: 'cancel' } },
    },
    admin: {
      members: { sample: {} },
      invite: {
        sample: { role: 'staff', name: '坏输入', ttlHours: 24 },
        extra: { vehicleIds: ['veh-none'] },
        optional: ['name', 'ttlHours'],
      },
      invites: { sample: {} },
      removeMember: { sample: { openid: 'nobody-at-all' } },
      vehicles: { sample: {} },
      saveVehicle: {
        sample: { plate: '粤B9BAD1', iccids: [], driverOpenids: [], remark: '坏输入' },
        extra: { id: 'veh-none' },
        optional: ['remark'],
      },
      audit: { sample: paging, extra: { iccid: f.readIccid } },
      startJob: {
        sample: { kind: 'tag', iccids: [f.jobIccid], tags: ['坏输入'] },
        extra: { reason: '坏输入测试' },
        optional: ['tags'],
      },
      job: { sample: { jobId: f.jobId } },
      jobs: { sample: {} },
      datacards: { sample: paging, extra: { status: 0 } },
      alerts: { sample: {} },
      saveAlert: {
        sample: { thresholdPercent: 10, notify: ['dev-manager'], enabled: true },
        extra: { id: 'alr-none', iccid: f.readIccid, vehicleId: 'veh-none', thresholdMB: 100 },
        optional: ['thresholdPercent', 'enabled'],
        nullable: ['iccid', 'vehicleId', 'thresholdMB', 'thresholdPercent'],
      },
      deleteAlert: { sample: { id: 'no-such-rule' } },
    },
  };
}

export interface ActionRow {
  fn: string;
  action: string;
  spec: ActionCase;
}

export function rows(table: ActionTable): ActionRow[] {
  return Object.entries(table).flatMap(([fn, actions]) =>
    Object.entries(actions as Record<string, ActionCase>).map(([action, spec]) => ({ fn, action, spec })),
  );
}

// ── what is sent ─────────────────────────────────────────────────────────────────────────────────────

/** Strings a careless or hostile client puts in any text field. */
export const NASTY_STRINGS: readonly string[] = [
  '',
  '   ',
  '\u0000',
  'a\u0000b',
  '\u0001\u001f\u007f',
  'a\r\nb\tc',
  '\u202Eabc\u202C',
  '\u200F\u200E',
  '\uFEFF',
  '🚗🚙🛻',
  '👨‍👩‍👧‍👦',
  '\uD800',
  '\uDC00x',
  'x\uD83D',
  '粤Ｂ１２３４５',
  "' OR 1=1 --",
  '"; DROP TABLE docs; --',
  "'); DELETE FROM docs WHERE ('1'='1",
  '.*',
  '(a+)+$',
  `${'a'.repeat(40)}!`,
  '%',
  '_',
  '%_%',
  '\\',
  '\\\\%',
  '*',
  '[',
  '$where',
  '{"$gt":""}',
  '__proto__',
  'constructor',
  'toString',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  'null',
  'undefined',
  'NaN',
  '8986'.padEnd(20, '0'),
  `89${'0'.repeat(2040)}x`,
];

export const KB = 1024;
export const MB = 1024 * KB;

type Kind = 'string' | 'number' | 'boolean' | 'array' | 'null';

function kindOf(value: Json): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value as 'string' | 'number' | 'boolean';
}

/** Values of another JSON type than the field's. */
const WRONG_TYPES: Record<Kind, Json[]> = {
  string: [0, 42.5, true, false, [], ['x'], {}, { $gt: '' }],
  number: ['1', '', true, [], [1], {}, { $gt: 0 }],
  boolean: ['true', 1, 0, [], {}],
  array: ['x', 1, true, {}, { 0: 'x', length: 1 }, [1], [null], [{}], [[]], [true]],
  null: [],
};

/** Numbers of the right type that are out of any sensible range. */
export const ODD_NUMBERS: readonly number[] = [-1, 0, 0.5, -0.5, 1e308, -1e308, 2 ** 53 + 2, 5e-324];

/** How an answer is judged: `invalid` must be INVALID_ARGUMENT; `any` may be any sound answer. */
export type Expectation = 'invalid' | 'any';

export interface Variant {
  label: string;
  /** The JSON body sent as is, or raw text (for keys an object literal cannot carry, like `__proto__`). */
  body?: Json;
  raw?: string;
  expect: Expectation;
  /** The INVALID_ARGUMENT message must match this. */
  message?: RegExp;
}

/** Every field of the sample and of its extras, with a value of the right type. */
export function fieldsOf(spec: ActionCase): Record<string, Json> {
  return { ...spec.sample, ...spec.extra };
}

/** Where text goes in a field: the field itself, or the one element of an array of text. */
function withText(value: Json, text: string): Json {
  return Array.isArray(value) ? [text] : text;
}

function textFields(spec: ActionCase): string[] {
  return Object.entries(fieldsOf(spec))
    .filter(([, v]) => typeof v === 'string' || (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'string')))
    .map(([k]) => k);
}

export function variantsOf(row: ActionRow): Variant[] {
  const { action, spec } = row;
  const body = (fields: Record<string, Json>): Json => ({ action, ...fields });
  const sample = spec.sample;
  const required = Object.keys(sample).filter((k) => !(spec.optional ?? []).includes(k));
  const out: Variant[] = [];

  out.push({
    label: 'unknown field',
    body: body({ ...sample, unexpected: 1 }),
    expect: 'invalid',
    message: /unexpected/,
  });
  out.push({
    label: 'unknown field with a 10,000-character name',
    body: body({ ...sample, ['k'.repeat(10_000)]: 1 }),
    expect: 'invalid',
  });
  out.push({
    label: 'a thousand unknown fields',
    body: body({ ...sample, ...Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`extra${i}`, i])) }),
    expect: 'invalid',
    message: /extra0/,
  });
  const json = JSON.stringify(body(sample));
  for (const [key, value] of [
    ['__proto__', '{"role":"manager","isAdmin":true}'],
    ['__proto__', 'null'],
    ['constructor', '{"prototype":{"polluted":true}}'],
    ['prototype', '{}'],
  ]) {
    out.push({
      label: `prototype key ${key}: ${value}`,
      raw: `{"${key}":${value},${json.slice(1)}`,
      expect: 'invalid',
      message: new RegExp(key),
    });
  }
  for (const key of required) {
    const { [key]: _left, ...rest } = sample;
    out.push({ label: `missing ${key}`, body: body(rest), expect: 'invalid', message: new RegExp(key) });
  }
  if (required.length > 0) out.push({ label: 'nothing but the action', body: body({}), expect: 'invalid' });

  for (const [key, value] of Object.entries(fieldsOf(spec))) {
    const kind = kindOf(value);
    for (const wrong of WRONG_TYPES[kind]) {
      out.push({
        label: `${key} = ${JSON.stringify(wrong)}`,
        body: body({ ...sample, [key]: wrong }),
        expect: 'invalid',
      });
    }
    out.push({
      label: `${key} = null`,
      body: body({ ...sample, [key]: null }),
      expect: (spec.nullable ?? []).includes(key) ? 'any' : 'invalid',
    });
    if (kind === 'number') {
      for (const n of ODD_NUMBERS)
        out.push({ label: `${key} = ${n}`, body: body({ ...sample, [key]: n }), expect: 'any' });
    }
    if (kind === 'array') {
      out.push({
        label: `${key} with 40,000 elements`,
        body: body({ ...sample, [key]: Array.from({ length: 40_000 }, (_, i) => `x${i}`) }),
        expect: 'invalid',
      });
    }
  }

  for (const key of textFields(spec)) {
    const value = fieldsOf(spec)[key];
    for (const text of NASTY_STRINGS) {
      out.push({
        label: `${key} = ${JSON.stringify(text).slice(0, 60)}`,
        body: body({ ...sample, [key]: withText(value, text) }),
        expect: 'any',
      });
    }
    out.push({
      label: `${key} = a 900 KB string`,
      body: body({ ...sample, [key]: withText(value, 'x'.repeat(900 * KB)) }),
      expect: 'invalid',
    });
  }
  return out;
}

// ── calling and judging ──────────────────────────────────────────────────────────────────────────────

/** No single call may take longer than this: a hang fails the test instead of stalling it. */
export const CALL_LIMIT_MS = 15_000;

export interface Answer {
  status: number;
  body: any;
}

/** POSTs `text` to the host; a call that does not answer within CALL_LIMIT_MS throws. */
export async function post(
  url: string,
  text: string,
  headers: Record<string, string> = {},
  label = url,
): Promise<Answer> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: text,
      signal: AbortSignal.timeout(CALL_LIMIT_MS),
    });
  } catch (error) {
    const name = error instanceof Error ? error.name : String(error);
    throw new Error(`${label}: no answer within ${CALL_LIMIT_MS} ms (${name})`);
  }
  const raw = await res.text();
  try {
    return { status: res.status, body: JSON.parse(raw) };
  } catch {
    return { status: res.status, body: raw };
  }
}

export const CHINESE = /[\u4e00-\u9fff]/;
/** What a stack trace or an internal error leaking into a message looks like. */
const LEAK =
  /\n\s+at |\bat \S+ \(|\.(ts|js):\d+|node_modules|\b(Type|Reference|Syntax|Range|Zod)Error\b|SQLITE|better-sqlite|json_extract|Cannot read prop|undefined is not|\[object Object\]/i;
/** Codes that would blame the platform (or the app's credentials) for a bad request. */
const NEVER: readonly string[] = [
  'INTERNAL',
  'PLATFORM_UNAVAILABLE',
  'PLATFORM_BUSY',
  'PLATFORM_AUTH',
  'PLATFORM_FORBIDDEN',
];
export const MAX_MESSAGE = 300;

/** What is wrong with an answer of the host, or null when it is sound for this expectation. */
export function judge(answer: Answer, expect: Expectation | ErrorCode | 'ok', message?: RegExp): string | null {
  const { status, body } = answer;
  if (status !== 200) return `HTTP ${status}: ${JSON.stringify(body).slice(0, 200)}`;
  if (typeof body !== 'object' || body === null || typeof body.ok !== 'boolean') {
    return `not an envelope: ${JSON.stringify(body).slice(0, 200)}`;
  }
  if (body.ok) {
    if (!('data' in body)) return 'ok without data';
    return expect === 'any' || expect === 'ok'
      ? null
      : `answered ok, expected ${expect === 'invalid' ? 'INVALID_ARGUMENT' : expect}`;
  }
  const error = body.error as { code?: unknown; message?: unknown } | undefined;
  if (typeof error?.code !== 'string' || typeof error.message !== 'string') {
    return `an error without code and message: ${JSON.stringify(body).slice(0, 200)}`;
  }
  const shown = `${error.code} "${error.message.slice(0, 120)}"`;
  if (NEVER.includes(error.code)) return `answered ${shown}`;
  if (!CHINESE.test(error.message)) return `message is not Chinese: ${shown}`;
  if (LEAK.test(error.message)) return `message leaks internals: ${shown}`;
  if (error.message.length > MAX_MESSAGE) return `message of ${error.message.length} characters: ${shown}`;
  if (expect === 'invalid' && error.code !== 'INVALID_ARGUMENT') return `answered ${shown}, expected INVALID_ARGUMENT`;
  if (expect === 'ok') return `answered ${shown}, expected ok`;
  if (expect !== 'invalid' && expect !== 'any' && error.code !== expect) return `answered ${shown}, expected ${expect}`;
  if (message && !message.test(error.message)) return `message ${shown} does not match ${message}`;
  return null;
}
