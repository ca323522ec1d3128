// cards.setNetwork through the host: pending until the carrier confirms, refusals before the platform is
// called (with the action that fixes the card), manager only, and an audit entry for every outcome.
import type { PendingDoc } from '../../cloudfunctions/shared/services/cards';
import { DRIVER, MANAGER, STAFF, STRANGER, networkCount, pickCards, takeCard } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const taken = new Set<string>();

beforeAll(async () => {
  stack = await startTestStack();
  await stack.sim('POST', '/config', { networkDelayMs: 100 });
  for (const iccid of (await pickCards(stack)).own) taken.add(iccid);
});
afterAll(() => stack.stop());

const call = (openid: string, action: string, body: Record<string, unknown> = {}) =>
  stack.fn('cards', openid, { action, ...body });
const setNetwork = (iccid: string, op: string, reason = '车辆停运检修') =>
  call(MANAGER, 'setNetwork', { iccid, op, reason });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const auditOf = (iccid: string, action: string) => stack.deps.store.find<any>('audit', { target: iccid, action });

/** Reads the card's detail until `done` holds, a bounded number of times. */
async function pollDetail(iccid: string, done: (card: any) => boolean): Promise<any> {
  for (let i = 0; i < 60; i++) {
    const reply = await call(MANAGER, 'detail', { iccid });
    if (done(reply.data)) return reply.data;
    await sleep(50);
  }
  throw new Error(`${iccid} never reached the expected state`);
}

describe('stop and resume', () => {
  test('a manager stops a card: pending until the carrier confirms, then stopped, the pending record gone', async () => {
    const { own } = await pickCards(stack);
    const iccid = own[0];
    // The carrier takes its time: nothing completes until the test says so.
    await stack.sim('POST', '/config', { networkDelayMs: 600_000 });
    const answer = await setNetwork(iccid, 'stop');
    expect(answer.data).toEqual({ iccid, pending: 'stop', requestId: expect.any(String) });
    const right = await call(MANAGER, 'detail', { iccid });
    expect(right.data).toEqual(expect.objectContaining({ state: 'active', pending: 'stop' }));
    const driverRow = (await call(DRIVER, 'list', { skip: 0, take: 10 })).data.items.find(
      (c: any) => c.iccid === iccid,
    );
    expect(driverRow.pending).toBe('stop');
    expect(await stack.sim('POST', '/network/complete')).toEqual({ completed: 1 });
    await stack.sim('POST', '/config', { networkDelayMs: 100 });
    const stopped = await pollDetail(iccid, (c) => c.state !== 'active');
    expect(stopped).toEqual(expect.objectContaining({ state: 'suspended', fix: 'resume', pending: null }));
    expect(await stack.deps.store.get<PendingDoc>('pending', iccid)).toBeNull();
    expect(await networkCount(stack, iccid)).toEqual({ stop: 1, resume: 0 });
    const entries = await auditOf(iccid, 'card.stop');
    expect(entries).toEqual([
      expect.objectContaining({
        actor: MANAGER,
        iccid,
        outcome: 'ok',
        detail: { reason: '车辆停运检修', requestId: answer.data.requestId },
      }),
    ]);
  });

  test('the stopped card is resumed the same way', async () => {
    const { own } = await pickCards(stack);
    const answer = await setNetwork(own[0], 'resume', '检修完成');
    expect(answer.data.pending).toBe('resume');
    const resumed = await pollDetail(own[0], (c) => c.state === 'active');
    expect(resumed.pending).toBeNull();
    expect(await networkCount(stack, own[0])).toEqual({ stop: 1, resume: 1 });
    expect(await auditOf(own[0], 'card.resume')).toEqual([expect.objectContaining({ outcome: 'ok' })]);
  });

  test('a second request while one is pending is a CONFLICT, and the platform is not asked again', async () => {
    const card = takeCard(stack, taken, (c) => c.carrier === 'cucc' && c.status === 1 && c.usedMB < c.totalMB);
    expect((await setNetwork(card.iccid, 'stop')).ok).toBe(true);
    const again = await setNetwork(card.iccid, 'stop');
    expect(again.error.code).toBe('CONFLICT');
    expect(await networkCount(stack, card.iccid)).toEqual({ stop: 1, resume: 0 });
    const outcomes = (await auditOf(card.iccid, 'card.stop')).map((e) => e.outcome).sort();
    expect(outcomes).toEqual(['ok', 'rejected']);
    await pollDetail(card.iccid, (c) => c.pending === null);
  });

  test('a pending request the carrier never confirmed stops showing after its time and is deleted', async () => {
    const card = takeCard(stack, taken, (c) => c.carrier === 'cmcc' && c.status === 0 && c.usedMB < c.totalMB);
    await stack.deps.store.put<PendingDoc>('pending', {
      _id: card.iccid,
      iccid: card.iccid,
      op: 'stop',
      requestId: 'NW-OLD',
      requestedAt: Date.now() - 31 * 60_000,
      by: MANAGER,
    });
    expect((await call(STAFF, 'detail', { iccid: card.iccid })).data.pending).toBeNull();
    expect(await stack.deps.store.get('pending', card.iccid)).toBeNull();
  });
});

describe('refusals before the platform is called', () => {
  test('resuming an arrears card → CARD_NOT_RESUMABLE, fix recharge, no network call, audited as rejected', async () => {
    const card = takeCard(stack, taken, (c) => c.carrier === 'ctcc' && c.status === 1 && c.usedMB < c.totalMB);
    await stack.sim('POST', '/cards', { iccid: card.iccid, status: 6 });
    const reply = await setNetwork(card.iccid, 'resume', '司机要求复机');
    expect(reply.error).toEqual({
      code: 'CARD_NOT_RESUMABLE',
      message: expect.stringMatching(/充值/),
      details: { fix: 'recharge' },
    });
    expect(await networkCount(stack, card.iccid)).toEqual({ stop: 0, resume: 0 });
    expect(await auditOf(card.iccid, 'card.resume')).toEqual([
      expect.objectContaining({ outcome: 'rejected', detail: expect.objectContaining({ reason: '司机要求复机' }) }),
    ]);
  });

  test('a card that ran out of data is stopped for money too, whatever status the carrier shows', async () => {
    const card = takeCard(stack, taken, (c) => c.carrier === 'cmcc' && c.status === 1 && c.usedMB >= c.totalMB);
    const reply = await setNetwork(card.iccid, 'resume');
    expect(reply.error.details).toEqual({ fix: 'recharge' });
  });

  test('missing real-name → fix realName; a carrier stop → fix carrier; neither reaches the platform', async () => {
    const realName = takeCard(stack, taken, (c) => c.status === 150001);
    await stack.sim('POST', '/cards', { iccid: realName.iccid, realNameStatus: 0 });
    const r = await setNetwork(realName.iccid, 'resume');
    expect(r.error).toEqual(expect.objectContaining({ code: 'CARD_NOT_RESUMABLE', details: { fix: 'realName' } }));
    expect(r.error.message).toMatch(/实名认证/);
    const carrier = takeCard(stack, taken, (c) => c.carrier === 'ctcc' && c.status === 7);
    const c = await setNetwork(carrier.iccid, 'resume');
    expect(c.error).toEqual(expect.objectContaining({ code: 'CARD_NOT_RESUMABLE', details: { fix: 'carrier' } }));
    expect(c.error.message).toMatch(/运营商/);
    for (const iccid of [realName.iccid, carrier.iccid]) {
      expect(await networkCount(stack, iccid)).toEqual({ stop: 0, resume: 0 });
    }
  });

  test('stopping a card that is not running, or resuming one that is, is INVALID_ARGUMENT with a sentence', async () => {
    const closed = takeCard(stack, taken, (c) => c.carrier === 'cmcc' && c.status === 4);
    const stop = await setNetwork(closed.iccid, 'stop');
    expect(stop.error).toEqual({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/销号.*不能停机/) });
    const running = takeCard(stack, taken, (c) => c.carrier === 'cucc' && c.status === 1 && c.usedMB < c.totalMB);
    expect((await setNetwork(running.iccid, 'resume')).error.message).toMatch(/无需复机/);
    expect(await networkCount(stack, closed.iccid)).toEqual({ stop: 0, resume: 0 });
  });

  test('a refusal by the platform itself is audited as rejected too', async () => {
    const card = takeCard(stack, taken, (c) => c.carrier === 'cmcc' && c.status === 0 && c.usedMB < c.totalMB);
    // Someone stopped it on the platform directly: the platform refuses a second request while the first runs.
    await stack.deps.platform.call('flowcard.network', { params: { iccid: card.iccid }, body: { action: 'stop' } });
    const reply = await setNetwork(card.iccid, 'stop');
    expect(reply.error.code).toBe('PLATFORM_REJECTED');
    expect(await auditOf(card.iccid, 'card.stop')).toEqual([expect.objectContaining({ outcome: 'rejected' })]);
  });

  test('the platform down: PLATFORM_UNAVAILABLE, audited as failed, nothing pending', async () => {
    const card = takeCard(stack, taken, (c) => c.carrier === 'cucc' && c.status === 1 && c.usedMB < c.totalMB);
    await stack.sim('POST', '/faults', { errorRate: 1, errorStatus: 500, pathPattern: '/network$' });
    try {
      expect((await setNetwork(card.iccid, 'stop')).error.code).toBe('PLATFORM_UNAVAILABLE');
    } finally {
      await stack.sim('POST', '/faults', {});
    }
    expect(await auditOf(card.iccid, 'card.stop')).toEqual([expect.objectContaining({ outcome: 'failed' })]);
    expect(await stack.deps.store.get('pending', card.iccid)).toBeNull();
  });
});

describe('who may and what is asked', () => {
  test('drivers, staff and strangers may not stop or resume, even their own card', async () => {
    const { own } = await pickCards(stack);
    for (const who of [DRIVER, STAFF, STRANGER]) {
      const reply = await call(who, 'setNetwork', { iccid: own[1], op: 'stop', reason: '我想停机' });
      expect(reply.error.code).toBe('FORBIDDEN');
    }
    expect(await networkCount(stack, own[1])).toEqual({ stop: 0, resume: 0 });
  });

  test.each([
    ['no reason', { op: 'stop' }],
    ['a one-character reason', { op: 'stop', reason: '停' }],
    ['a reason of spaces', { op: 'stop', reason: '    ' }],
    ['a reason over 100 characters', { op: 'stop', reason: '停'.repeat(101) }],
    ['an unknown op', { op: 'reboot', reason: '重启一下' }],
    ['an extra field', { op: 'stop', reason: '停运检修', force: true }],
  ])('%s → INVALID_ARGUMENT', async (_name, body) => {
    const { own } = await pickCards(stack);
    const reply = await call(MANAGER, 'setNetwork', { iccid: own[2], ...body });
    expect(reply.error.code).toBe('INVALID_ARGUMENT');
    expect(await networkCount(stack, own[2])).toEqual({ stop: 0, resume: 0 });
  });
});
