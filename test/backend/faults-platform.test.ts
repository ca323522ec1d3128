// The platform misbehaving, seen through the functions host: latency beyond the timeout, 5xx bursts, 429
// storms. Counted in the emulator (/__sim/stats: attempts per operation, injected and rate-limited refusals,
// accepted stop/resume requests per card), never timed. Every case ends with nothing lost and nothing done
// twice: the last test checks that no card was stopped or resumed more often than the cases asked for.
// The platform client alone under the same faults: platform-client.test.ts; a 1,000-card job through 500s
// and a 429 storm: jobs-exactly-once.test.ts.
import type { PendingDoc } from '../../cloudfunctions/shared/services/cards';
import { NETWORK_TARGET } from '../../typings/card-status';
import { ok } from '../helpers/admin';
import { MANAGER, STAFF, opCount, pickCards, stateOf } from '../helpers/cards';
import { itemsOf, networkCounts, runUntilDone, sleep, waitForStatus } from '../helpers/jobs';
import type { FlowCard } from '../../dev/platform/model';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(120_000);

const CHINESE = /[\u4e00-\u9fff]/;
/** Far beyond one attempt's timeout (400 ms), and beyond the whole call's deadline (1500 ms). */
const LATENCY_MS = 2000;

let stack: TestStack;
let free: FlowCard[];
/** How often each card should have been stopped and resumed by the end of the file. */
const wanted: Record<string, { stop: number; resume: number }> = {};

/** The next active card no vehicle carries and no other case has used. */
const take = (): string => {
  const card = free.shift();
  if (!card) throw new Error('out of free active cards');
  return card.iccid;
};

const fault = (faults: Record<string, unknown>) => stack.sim('POST', '/faults', faults);
const stats = () => stack.sim('GET', '/stats');
const cards = (action: string, body: Record<string, unknown> = {}, openid = MANAGER) =>
  stack.fn('cards', openid, { action, ...body });
const setNetwork = (iccid: string, op: 'stop' | 'resume') => cards('setNetwork', { iccid, op, reason: '故障注入测试' });
const isStopped = (c: { carrier: FlowCard['carrier']; status: number }) => c.status === NETWORK_TARGET[c.carrier].stop;
const isRunning = (c: { carrier: FlowCard['carrier']; status: number }) =>
  c.status === NETWORK_TARGET[c.carrier].resume;
const auditCount = (iccid: string, action: string, outcome: string) =>
  stack.deps.store.count('audit', { target: iccid, action, outcome });

/** Polls (a bounded number of times) until `check` holds. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await check()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function unavailable(reply: any, words: RegExp = CHINESE) {
  expect(reply).toEqual({
    ok: false,
    error: { code: 'PLATFORM_UNAVAILABLE', message: expect.stringMatching(words) },
  });
}

beforeAll(async () => {
  stack = await startTestStack({
    env: { PLATFORM_TIMEOUT_MS: '400', PLATFORM_DEADLINE_MS: '1500' },
    emulator: { settings: { networkDelayMs: 50 } },
  });
  free = (await pickCards(stack)).others;
});
afterAll(() => stack.stop());
afterEach(() => fault({}));

describe('latency beyond the timeout', () => {
  test('detail and list answer PLATFORM_UNAVAILABLE in a sentence after at most three attempts; the host keeps answering other calls meanwhile', async () => {
    const iccid = take();
    await fault({ latencyMs: LATENCY_MS, pathPattern: '^/cardservice/flowcards' });
    const before = { detail: await opCount(stack, 'flowcard.detail'), list: await opCount(stack, 'flowcard.list') };
    let settled = 0;
    const slow = [cards('detail', { iccid }), cards('list', { skip: 0, take: 20 })].map((p) =>
      p.finally(() => (settled += 1)),
    );
    // While both wait on the platform, calls that need no platform answer are answered.
    const others = await Promise.all([
      stack.fn('login', MANAGER, { action: 'me' }),
      cards('summary'),
      cards('list', { skip: 0, take: 5, state: 'active' }),
      cards('list', { skip: 0, take: 5, state: 'suspended' }, STAFF),
      stack.fn('admin', MANAGER, { action: 'members' }),
      stack.fn('pay', MANAGER, { action: 'orders', skip: 0, take: 5 }),
    ]);
    expect(settled).toBe(0);
    expect(others.map((r) => r.ok)).toEqual([true, true, true, true, true, true]);
    expect(others[2].data.source).toBe('index');

    const [detail, list] = await Promise.all(slow);
    unavailable(detail, /超时/);
    unavailable(list, /超时/);
    const made = {
      detail: (await opCount(stack, 'flowcard.detail')) - before.detail,
      list: (await opCount(stack, 'flowcard.list')) - before.list,
    };
    for (const attempts of [made.detail, made.list]) {
      expect(attempts).toBeGreaterThanOrEqual(1);
      expect(attempts).toBeLessThanOrEqual(3);
    }

    await fault({});
    const again = await cards('detail', { iccid });
    expect(again.data).toEqual(expect.objectContaining({ iccid, state: 'active' }));
    expect((await stack.deps.store.get<any>('cards', iccid))?.iccid).toBe(iccid);
  });

  test('a stop whose answer comes too late is not sent again; the platform did it once, and asking again cannot do it twice', async () => {
    const iccid = take();
    await fault({ latencyMs: LATENCY_MS, pathPattern: '/network$' });
    const before = await opCount(stack, 'flowcard.network');
    unavailable(await setNetwork(iccid, 'stop'), /超时/);
    expect((await opCount(stack, 'flowcard.network')) - before).toBe(1);
    expect(await auditCount(iccid, 'card.stop', 'failed')).toBe(1);
    expect(await stack.deps.store.get<PendingDoc>('pending', iccid)).toBeNull();

    // The request was on its way: the platform takes it once its latency is over, and the card stops.
    await until('the late stop to reach the platform', async () => (await stats()).network[iccid]?.stop === 1);
    await waitForStatus(stack.deps, [iccid], isStopped);
    await fault({});
    const again = await setNetwork(iccid, 'stop');
    expect(again).toEqual({
      ok: false,
      error: { code: 'INVALID_ARGUMENT', message: expect.stringMatching(/不在正常使用中/) },
    });
    expect((await opCount(stack, 'flowcard.network')) - before).toBe(1);
    wanted[iccid] = { stop: 1, resume: 0 };
  });

  test('a stop job whose every request times out finishes with each card stopped exactly once', async () => {
    const targets = Array.from({ length: 20 }, take);
    await fault({ latencyMs: LATENCY_MS, pathPattern: '/network$' });
    const job = await ok(stack, 'admin', MANAGER, {
      action: 'startJob',
      kind: 'stop',
      iccids: targets,
      reason: '平台响应过慢测试',
    });
    await runUntilDone(stack.deps, job.id);
    const detail = await ok(stack, 'admin', MANAGER, { action: 'job', jobId: job.id });
    expect(detail).toEqual(
      expect.objectContaining({ state: 'done', done: 20, succeeded: 20, failed: 0, problems: [] }),
    );
    // Each card's first request timed out: its outcome was settled by reading the card, not by resending blindly.
    const items = await itemsOf(stack.deps, job.id);
    expect(items.filter((i) => i.attempts < 2).map((i) => i.iccid)).toEqual([]);
    const counts = await networkCounts(stack);
    for (const iccid of targets) {
      expect([iccid, counts[iccid]]).toEqual([iccid, { stop: 1, resume: 0 }]);
      wanted[iccid] = { stop: 1, resume: 0 };
    }
    const shown = await waitForStatus(stack.deps, targets, isStopped);
    expect(targets.filter((i) => !isStopped(shown.get(i)!))).toEqual([]);
  });
});

describe('5xx bursts', () => {
  const DETAIL = '^/cardservice/flowcards/[0-9A-Za-z]{19,20}$';

  test('reads meeting a burst shorter than their retries succeed: one more attempt per failure, no more', async () => {
    const iccid = take();
    await fault({ errorBurst: 2, errorStatus: 500, pathPattern: DETAIL });
    let before = await stats();
    expect((await cards('detail', { iccid })).data).toEqual(expect.objectContaining({ iccid }));
    let after = await stats();
    expect(after.operations['flowcard.detail'] - before.operations['flowcard.detail']).toBe(3);
    expect(after.rejected.injected - before.rejected.injected).toBe(2);

    await fault({ errorBurst: 2, errorStatus: 502, pathPattern: '^/cardservice/flowcards$' });
    before = after;
    const list = await cards('list', { skip: 0, take: 10 });
    expect(list.data).toEqual(expect.objectContaining({ source: 'platform', total: 200 }));
    expect(list.data.items).toHaveLength(10);
    after = await stats();
    expect(after.operations['flowcard.list'] - before.operations['flowcard.list']).toBe(3);

    // Ten reads at once through a burst of five: every one answered, five attempts more than reads.
    const ten = Array.from({ length: 10 }, take);
    await fault({ errorBurst: 5, errorStatus: 500, pathPattern: DETAIL });
    before = after;
    const replies = await Promise.all(ten.map((i) => cards('detail', { iccid: i })));
    expect(replies.map((r) => r.data?.iccid)).toEqual(ten);
    after = await stats();
    expect(after.operations['flowcard.detail'] - before.operations['flowcard.detail']).toBe(15);
    expect(after.rejected.injected - before.rejected.injected).toBe(5);
  });

  test('a burst as long as the retries ends in PLATFORM_UNAVAILABLE after exactly three attempts; the next read succeeds', async () => {
    const iccid = take();
    await fault({ errorBurst: 3, errorStatus: 500, pathPattern: DETAIL });
    const before = await opCount(stack, 'flowcard.detail');
    unavailable(await cards('detail', { iccid }), /卡平台/);
    expect((await opCount(stack, 'flowcard.detail')) - before).toBe(3);
    expect((await cards('detail', { iccid })).ok).toBe(true);
    expect((await opCount(stack, 'flowcard.detail')) - before).toBe(4);
  });

  test('a stop or resume meeting one 5xx is not repeated (a second attempt would have worked); asked again, it is done once', async () => {
    const iccid = take();
    const network = () => opCount(stack, 'flowcard.network');
    await fault({ errorBurst: 1, errorStatus: 500, pathPattern: '/network$' });
    let before = await network();
    unavailable(await setNetwork(iccid, 'stop'));
    expect((await network()) - before).toBe(1);
    expect((await stats()).network[iccid]).toBeUndefined();
    expect(await stack.deps.store.get<PendingDoc>('pending', iccid)).toBeNull();
    expect(stateOf(stack.emulator.platform.cards.get(iccid)!)).toBe('active');

    expect((await setNetwork(iccid, 'stop')).data).toEqual(expect.objectContaining({ iccid, pending: 'stop' }));
    await waitForStatus(stack.deps, [iccid], isStopped);

    await fault({ errorBurst: 1, errorStatus: 502, pathPattern: '/network$' });
    before = await network();
    unavailable(await setNetwork(iccid, 'resume'));
    expect((await network()) - before).toBe(1);
    expect((await setNetwork(iccid, 'resume')).data).toEqual(expect.objectContaining({ iccid, pending: 'resume' }));
    await waitForStatus(stack.deps, [iccid], isRunning);

    expect((await stats()).network[iccid]).toEqual({ stop: 1, resume: 1 });
    expect(await auditCount(iccid, 'card.stop', 'failed')).toBe(1);
    expect(await auditCount(iccid, 'card.stop', 'ok')).toBe(1);
    expect(await auditCount(iccid, 'card.resume', 'failed')).toBe(1);
    expect(await auditCount(iccid, 'card.resume', 'ok')).toBe(1);
    wanted[iccid] = { stop: 1, resume: 1 };
  });
});

describe('429 storms', () => {
  test('a storm that does not pass: PLATFORM_BUSY in a sentence after a bounded number of attempts; a stop under it is not taken', async () => {
    const iccid = take();
    await fault({ errorRate: 1, errorStatus: 429, pathPattern: '^/cardservice/' });
    const before = await opCount(stack, 'flowcard.detail');
    const busy = await cards('detail', { iccid });
    expect(busy).toEqual({ ok: false, error: { code: 'PLATFORM_BUSY', message: expect.stringMatching(/繁忙/) } });
    const made = (await opCount(stack, 'flowcard.detail')) - before;
    expect(made).toBeGreaterThanOrEqual(2);
    expect(made).toBeLessThanOrEqual(5);

    await fault({ errorRate: 1, errorStatus: 429, pathPattern: '/network$' });
    const stop = await setNetwork(iccid, 'stop');
    expect(stop.error).toEqual({ code: 'PLATFORM_BUSY', message: expect.stringMatching(/繁忙/) });
    expect((await stats()).network[iccid]).toBeUndefined();
    expect(await stack.deps.store.get<PendingDoc>('pending', iccid)).toBeNull();
    expect(await auditCount(iccid, 'card.stop', 'failed')).toBe(1);
  });

  describe('with a call deadline that leaves room to wait', () => {
    let patient: TestStack;
    beforeAll(async () => {
      patient = await startTestStack({
        env: { PLATFORM_DEADLINE_MS: '10000' },
        emulator: { settings: { networkDelayMs: 50 } },
      });
    });
    afterAll(() => patient.stop());

    test("calls over the platform's rate limit wait their turn and all succeed: each refusal retried, nothing more", async () => {
      const ten = (await pickCards(patient)).others.slice(0, 10).map((c) => c.iccid);
      await patient.sim('POST', '/faults', { rateLimitPerSec: 5 });
      const before = await patient.sim('GET', '/stats');
      const replies = await Promise.all(ten.map((iccid) => patient.fn('cards', MANAGER, { action: 'detail', iccid })));
      expect(replies.map((r) => r.data?.iccid)).toEqual(ten);
      const after = await patient.sim('GET', '/stats');
      const refused = after.rejected.rateLimited - before.rejected.rateLimited;
      expect(refused).toBeGreaterThan(0);
      expect(after.operations['flowcard.detail'] - (before.operations['flowcard.detail'] ?? 0)).toBe(10 + refused);
      await patient.sim('POST', '/faults', {});
    });

    test('a stop refused with 429 was not taken, so it is sent again, and the card is stopped once', async () => {
      const iccid = (await pickCards(patient)).others[20].iccid;
      await patient.sim('POST', '/faults', { errorBurst: 2, errorStatus: 429, pathPattern: '/network$' });
      const before = (await patient.sim('GET', '/stats')).operations['flowcard.network'] ?? 0;
      const reply = await patient.fn('cards', MANAGER, {
        action: 'setNetwork',
        iccid,
        op: 'stop',
        reason: '限流测试',
      });
      expect(reply.data).toEqual(expect.objectContaining({ iccid, pending: 'stop' }));
      const after = await patient.sim('GET', '/stats');
      expect(after.operations['flowcard.network'] - before).toBe(3);
      expect(after.network).toEqual({ [iccid]: { stop: 1, resume: 0 } });
      await waitForStatus(patient.deps, [iccid], isStopped);
      expect(await patient.deps.store.count('audit', { target: iccid, action: 'card.stop' })).toBe(1);
    });
  });
});

test('in the end no card was stopped or resumed more often than the cases asked for, and no other card at all', async () => {
  const counts = await networkCounts(stack);
  expect(counts).toEqual(wanted);
  expect(Object.keys(wanted).length).toBeGreaterThan(20);
});
