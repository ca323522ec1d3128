// Stop/resume (停复机) and real-name (实名认证) of flow cards, over real loopback HTTP.
import type { FlowCard } from '../../dev/platform/model';
import { startTestEmulator, type EmulatorClient } from '../helpers/emulator';
import { BASE, cardStatus, failed, ok, waitForStatus, type Card, type Carrier } from './flowcard-helpers';

let c: EmulatorClient;

beforeAll(async () => {
  c = await startTestEmulator({ settings: { rateLimitPerSec: 1_000_000 } });
});
afterAll(() => c.emulator.close());

// A fresh fleet for every test: reset also drops tokens, so authorize again.
beforeEach(async () => {
  expect((await c.sim('POST', '/reset', {})).status).toBe(200);
  await c.authorize();
});

const NORMAL: Record<Carrier, number> = { cmcc: 0, cucc: 1, ctcc: 1 };
const STOPPED: Record<Carrier, { code: number; text: string }> = {
  cmcc: { code: 2, text: '停机' },
  cucc: { code: 2, text: '已停用' },
  ctcc: { code: 120000, text: '停机' },
};

/** A card of the carrier in its normal state with data left, read from the emulator's fleet. */
function activeCard(carrier: Carrier): FlowCard {
  const card = [...c.emulator.platform.cards.values()].find(
    (other) => other.carrier === carrier && other.status === NORMAL[carrier] && other.usedMB < other.totalMB,
  );
  if (!card) throw new Error(`no active ${carrier} card in the fleet`);
  return card;
}

/** Puts a card into a state through /__sim/cards. */
async function putCard(
  iccid: string,
  patch: { status?: number; usedMB?: number; totalMB?: number; realNameStatus?: 0 | 1 },
) {
  expect((await c.sim('POST', '/cards', { iccid, ...patch })).status).toBe(200);
}

const network = (iccid: string, body: unknown) => c.api('POST', `${BASE}/${encodeURIComponent(iccid)}/network`, body);
const setDelay = async (networkDelayMs: number) =>
  expect((await c.sim('POST', '/config', { networkDelayMs })).status).toBe(200);
const networkStats = async () =>
  (await c.sim<{ network: Record<string, { stop: number; resume: number }> }>('GET', '/stats')).body.network;

function accepted(reply: Awaited<ReturnType<typeof network>>) {
  const data = ok<{ requestId: string; state: string }>(reply);
  expect(data).toEqual({ requestId: expect.any(String), state: 'pending' });
  expect(data.requestId.length).toBeGreaterThan(0);
  return data;
}

describe('stop and resume', () => {
  test.each<Carrier>(['cmcc', 'cucc', 'ctcc'])(
    '%s: stop, then resume, each shows after the delay with the carrier’s code',
    async (carrier) => {
      await setDelay(50);
      const card = activeCard(carrier);
      const first = accepted(await network(card.iccid, { action: 'stop' }));
      const stopped = await waitForStatus(c, card.iccid, STOPPED[carrier].code);
      expect(stopped).toMatchObject({ carrier, statusText: STOPPED[carrier].text });
      expect(ok<Card>(await c.api('GET', `${BASE}/${card.iccid}`))).toMatchObject({
        status: STOPPED[carrier].code,
        statusText: STOPPED[carrier].text,
      });

      const second = accepted(await network(card.iccid, { action: 'resume' }));
      expect(second.requestId).not.toBe(first.requestId);
      const resumed = await waitForStatus(c, card.iccid, NORMAL[carrier]);
      expect(resumed.carrier).toBe(carrier);
      expect(await networkStats()).toEqual({ [card.iccid]: { stop: 1, resume: 1 } });
    },
  );

  test('the status is unchanged while the request is pending; a second request is refused and not counted', async () => {
    await setDelay(600_000);
    const card = activeCard('ctcc');
    const before = await cardStatus(c, card.iccid);
    accepted(await network(card.iccid, { action: 'stop' }));
    expect(await cardStatus(c, card.iccid)).toEqual(before);
    failed(await network(card.iccid, { action: 'stop' }), 422);
    failed(await network(card.iccid, { action: 'resume' }), 422);
    expect(await cardStatus(c, card.iccid)).toEqual(before);
    expect(await networkStats()).toEqual({ [card.iccid]: { stop: 1, resume: 0 } });
  });

  test('of concurrent stops of one card exactly one is accepted and counted', async () => {
    await setDelay(600_000);
    const card = activeCard('cmcc');
    const replies = await Promise.all(Array.from({ length: 8 }, () => network(card.iccid, { action: 'stop' })));
    expect(replies.filter((reply) => reply.status === 200)).toHaveLength(1);
    for (const reply of replies.filter((r) => r.status !== 200)) failed(reply, 422);
    expect(await networkStats()).toEqual({ [card.iccid]: { stop: 1, resume: 0 } });
  });

  test('the status route’s updatedAt moves when the new status shows', async () => {
    await setDelay(50);
    const card = activeCard('cmcc');
    const before = await cardStatus(c, card.iccid);
    accepted(await network(card.iccid, { action: 'stop' }));
    const after = await waitForStatus(c, card.iccid, 2);
    expect(Date.parse(after.updatedAt)).toBeGreaterThan(Date.parse(before.updatedAt));
  });

  test('stopping an already stopped card → 422, counted once', async () => {
    await setDelay(50);
    const card = activeCard('cucc');
    accepted(await network(card.iccid, { action: 'stop' }));
    await waitForStatus(c, card.iccid, 2);
    failed(await network(card.iccid, { action: 'stop' }), 422);
    // And a card seeded as stopped.
    const other = activeCard('cmcc');
    await putCard(other.iccid, { status: 1 });
    failed(await network(other.iccid, { action: 'stop' }), 422);
    expect(await networkStats()).toEqual({ [card.iccid]: { stop: 1, resume: 0 } });
  });

  test.each<Carrier>(['cmcc', 'cucc', 'ctcc'])('resuming an active %s card → 422', async (carrier) => {
    const card = activeCard(carrier);
    failed(await network(card.iccid, { action: 'resume' }), 422);
    expect((await cardStatus(c, card.iccid)).status).toBe(NORMAL[carrier]);
    expect(await networkStats()).toEqual({});
  });

  test.each<[string, Carrier, { status: number; usedMB?: number; totalMB?: number }]>([
    ['ctcc 5 欠停(双向)', 'ctcc', { status: 5 }],
    ['ctcc 6 欠停(单向)', 'ctcc', { status: 6 }],
    ['cmcc 2 with its package used up', 'cmcc', { status: 2, totalMB: 1024, usedMB: 1024 }],
    ['cmcc 1 with more used than the package', 'cmcc', { status: 1, totalMB: 1024, usedMB: 1100 }],
    ['cucc 2 with its package used up', 'cucc', { status: 2, totalMB: 3072, usedMB: 3072 }],
  ])('resuming a card stopped for arrears (%s) → 422 that says to recharge', async (_why, carrier, state) => {
    const card = activeCard(carrier);
    await putCard(card.iccid, state);
    const body = failed(await network(card.iccid, { action: 'resume' }), 422);
    expect(body.message).toContain('充值');
    expect((await cardStatus(c, card.iccid)).status).toBe(state.status);
    expect(await networkStats()).toEqual({});
  });

  test('a stopped cmcc card with data left resumes by resume', async () => {
    await setDelay(50);
    const card = activeCard('cmcc');
    await putCard(card.iccid, { status: 2, totalMB: 1024, usedMB: 100 });
    accepted(await network(card.iccid, { action: 'resume' }));
    await waitForStatus(c, card.iccid, 0);
  });

  test('ctcc 150001 without real-name → 422 about 实名; after binding real-name the resume is accepted', async () => {
    await setDelay(50);
    const card = activeCard('ctcc');
    await putCard(card.iccid, { status: 150001, realNameStatus: 0 });
    const body = failed(await network(card.iccid, { action: 'resume' }), 422);
    expect(body.message).toContain('实名');
    expect(await networkStats()).toEqual({});

    ok(
      await c.api('POST', `${BASE}/${card.iccid}/reality`, {
        name: '王小明',
        idNumber: residentId('44030519900101123'),
        phone: '13912345678',
      }),
    );
    accepted(await network(card.iccid, { action: 'resume' }));
    await waitForStatus(c, card.iccid, 1);
    expect(await networkStats()).toEqual({ [card.iccid]: { stop: 0, resume: 1 } });
  });

  test.each([7, 8, 160000, 170000])('resuming ctcc %d → 422: contact the carrier', async (status) => {
    const card = activeCard('ctcc');
    await putCard(card.iccid, { status, realNameStatus: 1 });
    const body = failed(await network(card.iccid, { action: 'resume' }), 422);
    expect(body.message).toContain('运营商');
    expect((await cardStatus(c, card.iccid)).status).toBe(status);
    expect(await networkStats()).toEqual({});
  });

  test.each<[string, Carrier, number]>([
    ['a closed cmcc card (4 销号)', 'cmcc', 4],
    ['a cmcc card waiting for activation (7)', 'cmcc', 7],
    ['a removed ctcc card (3 用户拆机)', 'ctcc', 3],
    ['a cucc card in stock (4 库存)', 'cucc', 4],
  ])('%s can be neither stopped nor resumed', async (_why, carrier, status) => {
    const card = activeCard(carrier);
    await putCard(card.iccid, { status });
    failed(await network(card.iccid, { action: 'stop' }), 422);
    failed(await network(card.iccid, { action: 'resume' }), 422);
    expect((await cardStatus(c, card.iccid)).status).toBe(status);
    expect(await networkStats()).toEqual({});
  });

  test.each<[string, unknown]>([
    ['an unknown action', { action: 'restart' }],
    ['an upper-case action', { action: 'STOP' }],
    ['no action', {}],
    ['a number', { action: 1 }],
    ['an extra field', { action: 'stop', force: true }],
    ['not an object', ['stop']],
  ])('%s → 422, nothing sent to the carrier', async (_why, body) => {
    const card = activeCard('cmcc');
    failed(await network(card.iccid, body), 422);
    expect(c.emulator.platform.pendingNetwork.size).toBe(0);
    expect(await networkStats()).toEqual({});
  });

  test('of an unknown ICCID → 404', async () => {
    failed(await network('89860000000000000000', { action: 'stop' }), 404);
  });

  test('stats count exactly one stop per accepted stop across cards', async () => {
    await setDelay(600_000);
    const cards = (['cmcc', 'cucc', 'ctcc'] as const).map(activeCard);
    for (const card of cards) {
      accepted(await network(card.iccid, { action: 'stop' }));
      failed(await network(card.iccid, { action: 'stop' }), 422);
    }
    expect(await networkStats()).toEqual(Object.fromEntries(cards.map((card) => [card.iccid, { stop: 1, resume: 0 }])));
    for (const card of cards) expect((await cardStatus(c, card.iccid)).status).toBe(NORMAL[card.carrier]);
  });
});

/**
 * A mainland resident identity number (GB 11643): 17 digits and the ISO 7064 MOD 11-2 check character.
 * The weights are 2^(17−i) mod 11, computed here rather than copied from the emulator.
 */
function residentId(first17: string): string {
  const sum = [...first17].reduce((acc, digit, i) => acc + Number(digit) * (2 ** (17 - i) % 11), 0);
  const check = (12 - (sum % 11)) % 11;
  return first17 + (check === 10 ? 'X' : String(check));
}

describe('real-name', () => {
  const reality = (iccid: string) => c.api('GET', `${BASE}/${encodeURIComponent(iccid)}/reality`);
  const bind = (iccid: string, body: unknown) => c.api('POST', `${BASE}/${encodeURIComponent(iccid)}/reality`, body);
  const unbound = () => {
    const card = [...c.emulator.platform.cards.values()].find((other) => other.realNameStatus === 0);
    if (!card) throw new Error('no card without real-name in the fleet');
    return card;
  };
  const person = { name: '张三丰', idNumber: residentId('11010519491231002'), phone: '13800138000' };

  test('the test’s own checksum agrees with the published sample', () => {
    expect(residentId('11010519491231002')).toBe('11010519491231002X');
    expect(residentId('44052418800101001')).toBe('440524188001010014');
  });

  test('a card without real-name reads realNameStatus 0 and no identity', async () => {
    const card = unbound();
    const data = ok<Record<string, unknown>>(await reality(card.iccid));
    expect(data).toMatchObject({ realNameStatus: 0, name: null, idNumber: null });
  });

  test('binding a valid identity sets realNameStatus 1; the read masks name and ID number', async () => {
    const card = unbound();
    const bound = ok<Record<string, unknown>>(await bind(card.iccid, person));
    const read = ok<Record<string, unknown>>(await reality(card.iccid));
    for (const data of [bound, read]) {
      expect(data.realNameStatus).toBe(1);
      expect(data.name).toBe('张**');
      expect(data.idNumber).toBe(`110${'*'.repeat(11)}002X`);
      const text = JSON.stringify(data);
      expect(text).not.toContain(person.idNumber);
      expect(text).not.toContain(person.name);
      expect(text).not.toContain(person.phone);
    }
    const shown = ok<Card>(await c.api('GET', `${BASE}/${card.iccid}`));
    expect(shown.realNameStatus).toBe(1);
    expect(JSON.stringify(shown)).not.toContain(person.idNumber);
  });

  test('binding twice → 422, the first identity stays', async () => {
    const card = unbound();
    ok(await bind(card.iccid, person));
    const other = { name: '李四', idNumber: residentId('44030519900101123'), phone: '13912345678' };
    failed(await bind(card.iccid, other), 422);
    expect(ok<{ name: string }>(await reality(card.iccid)).name).toBe('张**');
  });

  const wrongCheck = person.idNumber.slice(0, 17) + (person.idNumber[17] === '0' ? '1' : '0');
  test.each<[string, Record<string, unknown>]>([
    ['a wrong check digit', { ...person, idNumber: wrongCheck }],
    ['17 digits', { ...person, idNumber: person.idNumber.slice(0, 17) }],
    ['19 characters', { ...person, idNumber: `${person.idNumber}1` }],
    ['a letter inside the ID', { ...person, idNumber: `11010A${person.idNumber.slice(6)}` }],
    // Right check digit, but GB 11643's birth-date part is no date: no real identity has it.
    ['all zeros (check digit right)', { ...person, idNumber: residentId('00000000000000000') }],
    ['born on 1949-13-31 (check digit right)', { ...person, idNumber: residentId('11010519491331002') }],
    ['born on 2023-02-29 (check digit right)', { ...person, idNumber: residentId('11010520230229002') }],
    ['born in the future (check digit right)', { ...person, idNumber: residentId('11010530990101002') }],
    ['a phone of 10 digits', { ...person, phone: '1380013800' }],
    ['a phone not starting with 1', { ...person, phone: '23800138000' }],
    ['a phone with a dash', { ...person, phone: '138-0013800' }],
    ['a one-character name', { ...person, name: '张' }],
    ['a blank name', { ...person, name: '   ' }],
    ['no phone', { name: person.name, idNumber: person.idNumber }],
    ['an unknown field', { ...person, gender: 'm' }],
    ['an ID number as a number', { ...person, idNumber: 110105194912310020 }],
  ])('%s → 422, nothing bound', async (_why, body) => {
    const card = unbound();
    failed(await bind(card.iccid, body), 422);
    expect(ok<Record<string, unknown>>(await reality(card.iccid))).toMatchObject({ realNameStatus: 0, name: null });
  });

  test('of an unknown ICCID → 404', async () => {
    failed(await reality('89860000000000000000'), 404);
    failed(await bind('89860000000000000000', person), 404);
  });
});
