// Shared by the flow-card suites: the contract's shapes, error checks, paging through lists, polling.
import type { EmulatorClient, Reply } from '../helpers/emulator';

export type Carrier = 'cmcc' | 'cucc' | 'ctcc';

/** A flow card as docs/platform-contract.md lists its fields. */
export interface Card {
  iccid: string;
  msisdn: string;
  imsi: string;
  carrier: Carrier;
  status: number;
  statusText: string;
  realNameStatus: 0 | 1;
  typeId: number;
  categoryId: number;
  tags: string[];
  remark: string;
  packageName: string;
  totalMB: number;
  usedMB: number;
  periodStart: string;
  periodEnd: string;
  activatedAt: string | null;
  updatedAt: string;
}

export const CARD_FIELDS = [
  'iccid',
  'msisdn',
  'imsi',
  'carrier',
  'status',
  'statusText',
  'realNameStatus',
  'typeId',
  'categoryId',
  'tags',
  'remark',
  'packageName',
  'totalMB',
  'usedMB',
  'periodStart',
  'periodEnd',
  'activatedAt',
  'updatedAt',
].sort();

export interface Ok<T> {
  code: 200;
  message: 'ok';
  data: T;
}
export interface Page<T> {
  total: number;
  items: T[];
}
export interface ErrorBody {
  code: number;
  name: string;
  message: string;
}

const ERROR_NAMES: Record<number, string> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  417: 'ExpectationFailed',
  422: 'UnprocessableEntity',
  10000: 'Transfer_ConsigneeIsNotExists',
  10001: 'Transfer_CardIDCanNotBeLessThanOne',
};

export const BASE = '/cardservice/flowcards';

/** A 200 envelope; returns its data. */
export function ok<T>(reply: Reply<unknown>): T {
  expect({ status: reply.status, body: reply.body }).toEqual({
    status: 200,
    body: { code: 200, message: 'ok', data: expect.anything() },
  });
  return (reply.body as Ok<T>).data;
}

/** A platform error `{code,name,message}` with the HTTP status of the global table; returns the body. */
export function failed(reply: Reply<unknown>, status: number, code = status): ErrorBody {
  expect(reply.status).toBe(status);
  const body = reply.body as ErrorBody;
  expect(Object.keys(body).sort()).toEqual(['code', 'message', 'name']);
  expect(body.code).toBe(code);
  expect(body.name).toBe(ERROR_NAMES[code]);
  expect(typeof body.message).toBe('string');
  expect(body.message.length).toBeGreaterThan(0);
  return body;
}

/** Every item of a paged list, read 100 at a time; the total must agree on every page. */
export async function listAll<T = Card>(c: EmulatorClient, path: string, query: Record<string, string> = {}) {
  const items: T[] = [];
  let total = -1;
  for (let skip = 0; total < 0 || skip < total; skip += 100) {
    const qs = new URLSearchParams({ ...query, skip: String(skip), take: '100' });
    const page = ok<Page<T>>(await c.api('GET', `${path}?${qs}`));
    if (total >= 0) expect(page.total).toBe(total);
    total = page.total;
    expect(page.items.length).toBe(Math.min(100, total - skip));
    items.push(...page.items);
  }
  expect(items.length).toBe(total);
  return items;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface CardStatus {
  carrier: Carrier;
  status: number;
  statusText: string;
  updatedAt: string;
}

export async function cardStatus(c: EmulatorClient, iccid: string): Promise<CardStatus> {
  return ok<CardStatus>(await c.api('GET', `${BASE}/${encodeURIComponent(iccid)}/status`));
}

/** Polls the status route until the card shows `target`; fails after a bounded number of polls. */
export async function waitForStatus(c: EmulatorClient, iccid: string, target: number, maxPolls = 200) {
  for (let poll = 0; poll < maxPolls; poll++) {
    const now = await cardStatus(c, iccid);
    if (now.status === target) return now;
    await sleep(10);
  }
  throw new Error(`card ${iccid} did not reach status ${target} within ${maxPolls} polls`);
}

/** The ICCID of a fresh card: carrier prefix, 13 digits, Luhn digit (computed here, not by the seed). */
export function newIccid(prefix: string, n: number): string {
  const body = prefix + String(n).padStart(13, '0');
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d *= 2;
    sum += d > 9 ? d - 9 : d;
  }
  return body + ((10 - (sum % 10)) % 10);
}
