// cards.detail, usage, history and realName through the host: why a card is stopped, the forecast from
// the daily snapshots, and what each role may read.
import { shanghaiDate, usageId, type UsageDoc } from '../../cloudfunctions/shared/services/card-usage';
import { DRIVER, MANAGER, STAFF, STRANGER, indexDoc, pickCards, takeCard } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
const taken = new Set<string>();
const DAY = 86_400_000;

beforeAll(async () => {
  stack = await startTestStack();
  for (const iccid of (await pickCards(stack)).own) taken.add(iccid);
});
afterAll(() => stack.stop());

const call = (openid: string, action: string, body: Record<string, unknown> = {}) =>
  stack.fn('cards', openid, { action, ...body });
const active = (carrier?: string) => (c: any) =>
  (carrier === undefined || c.carrier === carrier) &&
  [0, 1].includes(c.status) &&
  c.totalMB > 0 &&
  c.usedMB < c.totalMB;

/** Snapshots for the last days: `used[0]` is the oldest, the last one today's. */
async function putSnapshots(iccid: string, used: number[], totalMB = 3072): Promise<void> {
  const now = Date.now();
  for (const [i, usedMB] of used.entries()) {
    const date = shanghaiDate(now - (used.length - 1 - i) * DAY);
    await stack.deps.store.put<UsageDoc>('usage', { _id: usageId(iccid, date), iccid, date, usedMB, totalMB });
  }
}

describe('detail', () => {
  test('an arrears card says so and offers recharge; the index learns the new state', async () => {
    const card = takeCard(stack, taken, active('ctcc'));
    await stack.sim('POST', '/cards', { iccid: card.iccid, status: 5 });
    const reply = await call(MANAGER, 'detail', { iccid: card.iccid });
    expect(reply.data).toEqual(
      expect.objectContaining({
        iccid: card.iccid,
        status: 5,
        statusText: '欠停(双向)',
        state: 'arrears',
        fix: 'recharge',
        stopReason: expect.stringMatching(/欠费.*充值/),
        imsi: card.imsi,
        packageName: card.packageName,
      }),
    );
    expect((await indexDoc(stack, card.iccid))?.state).toBe('arrears');
  });

  test('a card stopped for missing real-name (电信 150001) says real-name fixes it', async () => {
    const card = takeCard(stack, taken, (c) => c.carrier === 'ctcc' && c.status === 150001);
    const reply = await call(STAFF, 'detail', { iccid: card.iccid });
    expect(reply.data).toEqual(
      expect.objectContaining({ state: 'suspended', fix: 'realName', stopReason: expect.stringMatching(/实名/) }),
    );
  });

  test('a card stopped by hand can be resumed by a manager, and says so', async () => {
    const card = takeCard(stack, taken, active('cmcc'));
    await stack.sim('POST', '/cards', { iccid: card.iccid, status: 2 });
    const reply = await call(MANAGER, 'detail', { iccid: card.iccid });
    expect(reply.data).toEqual(
      expect.objectContaining({
        state: 'suspended',
        fix: 'resume',
        stopReason: expect.stringMatching(/管理员可以复机/),
      }),
    );
  });

  test('a running card has no stop reason; a driver reads their own card but not another', async () => {
    const { own, others } = await pickCards(stack);
    const mine = await call(DRIVER, 'detail', { iccid: own[0] });
    expect(mine.data).toEqual(expect.objectContaining({ iccid: own[0], state: 'active', stopReason: null }));
    expect((await call(DRIVER, 'detail', { iccid: others[0].iccid })).error.code).toBe('FORBIDDEN');
    expect((await call(STRANGER, 'detail', { iccid: own[0] })).error.code).toBe('FORBIDDEN');
  });

  test('an ICCID spelled in lower case finds the card; an unknown one is NOT_FOUND; a malformed one is refused', async () => {
    const letter = takeCard(stack, taken, (c) => /[A-F]/.test(c.iccid));
    expect((await call(STAFF, 'detail', { iccid: letter.iccid.toLowerCase() })).data.iccid).toBe(letter.iccid);
    const unknown = await call(MANAGER, 'detail', { iccid: '89860000000000000000' });
    expect(unknown.error.code).toBe('NOT_FOUND');
    for (const iccid of ['12345', '8986', 'x'.repeat(20), 89860000000000000000, '89860000000000000000 OR 1=1']) {
      expect((await call(MANAGER, 'detail', { iccid })).error.code).toBe('INVALID_ARGUMENT');
    }
    expect((await call(MANAGER, 'detail', {})).error.message).toMatch(/缺少参数 iccid/);
  });
});

describe('usage and history', () => {
  test('the forecast is the average daily growth of the snapshots, against what the carrier says is left', async () => {
    const card = takeCard(stack, taken, active());
    await stack.sim('POST', '/cards', { iccid: card.iccid, usedMB: 1000, totalMB: 3072 });
    await putSnapshots(card.iccid, [400, 600, 800, 1000]);
    const reply = await call(STAFF, 'usage', { iccid: card.iccid });
    expect(reply.data).toEqual({
      iccid: card.iccid,
      usedMB: 1000,
      totalMB: 3072,
      remainingMB: 2072,
      periodStart: card.periodStart,
      periodEnd: card.periodEnd,
      updatedAt: card.updatedAt,
      dailyMB: 200,
      forecastDaysLeft: 10,
    });
  });

  test('a new period (usage drops) counts what was used since the reset', async () => {
    const card = takeCard(stack, taken, active());
    await stack.sim('POST', '/cards', { iccid: card.iccid, usedMB: 70, totalMB: 1024 });
    await putSnapshots(card.iccid, [900, 950, 20, 70], 1024);
    const reply = await call(MANAGER, 'usage', { iccid: card.iccid });
    expect(reply.data).toEqual(expect.objectContaining({ dailyMB: 40, forecastDaysLeft: Math.floor(954 / 40) }));
  });

  test('without two snapshots, or with no growth, there is no forecast', async () => {
    const { own } = await pickCards(stack);
    const fresh = await call(DRIVER, 'usage', { iccid: own[0] });
    expect(fresh.data).toEqual(expect.objectContaining({ dailyMB: null, forecastDaysLeft: null }));
    const flat = takeCard(stack, taken, active());
    await putSnapshots(flat.iccid, [500, 500, 500], flat.totalMB);
    expect((await call(MANAGER, 'usage', { iccid: flat.iccid })).data).toEqual(
      expect.objectContaining({ dailyMB: 0, forecastDaysLeft: null }),
    );
  });

  test('history gives the last N days of snapshots, oldest first', async () => {
    const { own } = await pickCards(stack);
    await putSnapshots(own[1], [100, 110, 120, 130, 140, 150]);
    const three = await call(DRIVER, 'history', { iccid: own[1], days: 3 });
    const today = shanghaiDate(Date.now());
    expect(three.data.iccid).toBe(own[1]);
    expect(three.data.points.map((p: any) => p.usedMB)).toEqual([130, 140, 150]);
    expect(three.data.points[2]).toEqual({ date: today, usedMB: 150, totalMB: 3072 });
    expect((await call(STAFF, 'history', { iccid: own[1], days: 90 })).data.points).toHaveLength(6);
    expect((await call(STAFF, 'history', { iccid: own[1], days: 1 })).data.points).toHaveLength(1);
    for (const days of [0, 91, 2.5, '7', null]) {
      expect((await call(STAFF, 'history', { iccid: own[1], days })).error.code).toBe('INVALID_ARGUMENT');
    }
  });

  test('a driver reads neither usage nor history of another vehicle’s card', async () => {
    const { others } = await pickCards(stack);
    expect((await call(DRIVER, 'usage', { iccid: others[0].iccid })).error.code).toBe('FORBIDDEN');
    expect((await call(DRIVER, 'history', { iccid: others[0].iccid, days: 7 })).error.code).toBe('FORBIDDEN');
    expect((await call(STRANGER, 'usage', { iccid: others[0].iccid })).error.code).toBe('FORBIDDEN');
  });
});

describe('realName', () => {
  test('the identity bound to a card is shown masked, to staff and to the card’s driver', async () => {
    const { own, others } = await pickCards(stack);
    await stack.sim('POST', '/cards', { iccid: own[2], realNameStatus: 0 });
    await stack.deps.platform.call('flowcard.bindReality', {
      params: { iccid: own[2] },
      body: { name: '张三丰', idNumber: '11010519491231002X', phone: '13800138000' },
    });
    for (const who of [STAFF, DRIVER, MANAGER]) {
      const reply = await call(who, 'realName', { iccid: own[2] });
      expect(reply.data).toEqual({
        iccid: own[2],
        realNameStatus: 1,
        name: '张**',
        idNumber: '110***********002X',
        boundAt: expect.any(String),
      });
      expect(JSON.stringify(reply)).not.toMatch(/三丰|19491231|13800138000/);
    }
    const unbound = others.find((c) => c.realNameStatus === 0) ?? others[0];
    expect((await call(STAFF, 'realName', { iccid: unbound.iccid })).data.iccid).toBe(unbound.iccid);
    expect((await call(DRIVER, 'realName', { iccid: unbound.iccid })).error.code).toBe('FORBIDDEN');
  });
});
