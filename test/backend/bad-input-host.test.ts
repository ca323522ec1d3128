// Bad input at the level of the whole request, through the host: bodies that are no JSON object, actions
// that are no action, function names every object inherits, 10 MB bodies (the host's limit is 1 MB) and
// 900 KB strings inside it, the payment-notify endpoint's own limits; a stranger and a caller without
// identity sending the same bad input; search-shaped keywords answering exactly the cards that contain
// them; and afterwards, nothing of the fleet lost. Field by field per action: bad-input-actions.test.ts.
import { FUNCTION_ACTIONS } from '../../cloudfunctions/shared/functions/index';
import type { MemberDoc } from '../../cloudfunctions/shared/services/members';
import type { VehicleDoc } from '../../cloudfunctions/shared/services/vehicles';
import {
  CHINESE,
  KB,
  MB,
  NASTY_STRINGS,
  actionTable,
  fieldsOf,
  judge,
  makeFixtures,
  post,
  rows,
  variantsOf,
  type ActionCase,
  type Fixtures,
} from '../helpers/bad-input';
import { DRIVER, MANAGER, STAFF, STRANGER, emulatorCards, stateOf, vehicle } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(180_000);

let stack: TestStack;
let fixtures: Fixtures;
let before: { members: MemberDoc[]; vehicles: VehicleDoc[]; cards: number };

const FUNCTIONS = Object.keys(FUNCTION_ACTIONS);
const ROWS = () => rows(actionTable(fixtures));

beforeAll(async () => {
  stack = await startTestStack();
  fixtures = await makeFixtures(stack, () => Promise.resolve('no-such-job'));
  before = {
    members: await stack.deps.store.find<MemberDoc>('members', {}, { take: 1000 }),
    vehicles: await stack.deps.store.find<VehicleDoc>('vehicles', {}, { take: 1000 }),
    cards: await stack.deps.store.count('cards'),
  };
});
afterAll(() => stack.stop());
beforeEach(() => {
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

function send(fn: string, text: string | Buffer, openid: string | undefined, label: string) {
  return post(`${stack.host.url}/fn/${fn}`, text as string, openid === undefined ? {} : { 'x-openid': openid }, label);
}

/** Runs every case, collecting what went wrong (a hang throws at once). */
async function problemsOf(cases: Array<[label: string, run: () => Promise<string | null>]>): Promise<string[]> {
  const problems: string[] = [];
  for (const [label, run] of cases) {
    const problem = await run();
    if (problem) problems.push(`${label}: ${problem}`);
  }
  return problems;
}

describe('the request as a whole', () => {
  const BODIES: Array<[string, string | Buffer]> = [
    ['an empty body', ''],
    ['an array', '[{"action":"me"}]'],
    ['an empty array', '[]'],
    ['a string', '"me"'],
    ['a number', '42'],
    ['null', 'null'],
    ['true', 'true'],
    ['half a JSON object', '{"action":"me"'],
    ['a trailing comma', '{"action":"me",}'],
    ['single quotes', "{'action':'me'}"],
    ['a NUL byte', '\u0000'],
    ['bytes that are not UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
    ['10,000 nested arrays', '['.repeat(10_000) + ']'.repeat(10_000)],
    ['10,000 nested objects', '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000)],
  ];
  const ACTIONS: Array<[string, unknown]> = [
    ['a number', 42],
    ['null', null],
    ['an array', ['me']],
    ['an object', { name: 'me' }],
    ['true', true],
    ['an empty string', ''],
    ['another case', 'ME'],
    ['a space before it', ' me'],
    ['a NUL after it', 'me\u0000'],
    ['__proto__', '__proto__'],
    ['constructor', 'constructor'],
    ['toString', 'toString'],
    ['hasOwnProperty', 'hasOwnProperty'],
    ['valueOf', 'valueOf'],
    ['100,000 characters', 'x'.repeat(100_000)],
    ['an RTL mark and emoji', '\u202Eem🚗'],
  ];

  test.each(FUNCTIONS)(
    '%s: bodies that are no JSON object, and actions that are none, answer INVALID_ARGUMENT',
    async (fn) => {
      const problems = await problemsOf([
        ...BODIES.map(([label, text]): [string, () => Promise<string | null>] => [
          `body ${label}`,
          async () => judge(await send(fn, text, MANAGER, label), 'invalid'),
        ]),
        ...ACTIONS.map(([label, action]): [string, () => Promise<string | null>] => [
          `action ${label}`,
          async () => judge(await send(fn, JSON.stringify({ action }), MANAGER, label), 'invalid'),
        ]),
      ]);
      expect(problems).toEqual([]);
    },
  );

  test('function names every object inherits are no functions', async () => {
    for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      const answer = await send(name, JSON.stringify({ action: 'me' }), MANAGER, name);
      expect([name, answer]).toEqual([
        name,
        { status: 404, body: { ok: false, error: { code: 'NOT_FOUND', message: expect.stringMatching(CHINESE) } } },
      ]);
    }
    const underscored = await send('__proto__', JSON.stringify({ action: 'me' }), MANAGER, '__proto__');
    expect(underscored.status).toBe(404);
  });
});

describe('size', () => {
  /** The field a long text goes into: the action's first text field, or one it does not have. */
  function textField(spec: ActionCase): string {
    return Object.entries(fieldsOf(spec)).find(([, v]) => typeof v === 'string')?.[0] ?? 'padding';
  }

  test('a 10 MB string in any action: INVALID_ARGUMENT (over the 1 MB limit), and the host answers the next call', async () => {
    const tenMB = 'x'.repeat(10 * MB);
    const problems = await problemsOf(
      ROWS().map(({ fn, action, spec }) => [
        `${fn}.${action}`,
        async () => {
          const text = JSON.stringify({ action, ...spec.sample, [textField(spec)]: tenMB });
          return judge(await send(fn, text, MANAGER, `${fn}.${action} 10 MB`), 'invalid', /1MB/);
        },
      ]),
    );
    expect(problems).toEqual([]);
    expect((await stack.fn('login', MANAGER, { action: 'me' })).data.member.role).toBe('manager');
  });

  test('a 900 KB string inside the limit: INVALID_ARGUMENT, naming the field', async () => {
    const long = 'x'.repeat(900 * KB);
    const problems = await problemsOf(
      ROWS().map(({ fn, action, spec }) => [
        `${fn}.${action}`,
        async () => {
          const field = textField(spec);
          const text = JSON.stringify({ action, ...spec.sample, [field]: long });
          expect(Buffer.byteLength(text)).toBeLessThan(MB);
          return judge(await send(fn, text, MANAGER, `${fn}.${action} 900 KB`), 'invalid', new RegExp(field));
        },
      ]),
    );
    expect(problems).toEqual([]);
  });

  test('a batch job of 40,000 valid card numbers (inside 1 MB) is refused with the limit in words', async () => {
    const iccids = Array.from({ length: 40_000 }, (_, i) => `8986${String(i).padStart(16, '0')}`);
    const text = JSON.stringify({ action: 'startJob', kind: 'stop', iccids, reason: '太多了' });
    expect(Buffer.byteLength(text)).toBeLessThan(MB);
    const answer = await send('admin', text, MANAGER, 'startJob 40,000');
    expect(judge(answer, 'invalid', /10000/)).toBeNull();
    expect(await stack.deps.store.count('jobs')).toBe(0);
  });

  test('the payment-notify endpoint refuses 10 MB, 900 KB and garbage bodies without an internal error', async () => {
    const url = `${stack.host.url}/notify/pay`;
    const cases: Array<[string, string, number]> = [
      ['10 MB', 'x'.repeat(10 * MB), 413],
      ['900 KB', JSON.stringify({ outTradeNo: 'x'.repeat(900 * KB) }), 413],
      ['not JSON', '\u0000\uD800<xml/>', 401],
      ['an array', '[]', 401],
    ];
    for (const [label, text, status] of cases) {
      const answer = await post(url, text, { 'x-notify-timestamp': '1', 'x-notify-nonce': 'n'.repeat(16) }, label);
      expect([label, answer.status, answer.body.code]).toEqual([label, status, 'FAIL']);
    }
  });
});

describe('who asks', () => {
  test.each(FUNCTIONS)('%s: a caller without identity is UNAUTHENTICATED, whatever the input', async (fn) => {
    const problems = await problemsOf(
      ROWS()
        .filter((row) => row.fn === fn)
        .flatMap(({ action, spec }) =>
          variantsOf({ fn, action, spec })
            .filter((_, i) => i % 15 === 0)
            .map((v): [string, () => Promise<string | null>] => [
              `${action} ${v.label}`,
              async () => judge(await send(fn, v.raw ?? JSON.stringify(v.body), undefined, v.label), 'UNAUTHENTICATED'),
            ]),
        ),
    );
    expect(problems).toEqual([]);
  });

  test.each(FUNCTIONS)(
    '%s: a stranger sending bad input is FORBIDDEN (or, where anyone may call, answered soundly)',
    async (fn) => {
      const problems = await problemsOf(
        ROWS()
          .filter((row) => row.fn === fn)
          .flatMap(({ action, spec }) => {
            const variants = variantsOf({ fn, action, spec }).filter((_, i) => i % 7 === 0);
            return [
              { label: 'the sample', body: { action, ...spec.sample }, raw: undefined, expect: 'any' as const },
              ...variants,
            ].map((v): [string, () => Promise<string | null>] => [
              `${action} ${v.label}`,
              async () =>
                judge(
                  await send(fn, v.raw ?? JSON.stringify(v.body), STRANGER, v.label),
                  spec.anyone ? v.expect : 'FORBIDDEN',
                ),
            ]);
          }),
      );
      expect(problems).toEqual([]);
    },
  );
});

describe('search-shaped keywords find exactly the cards that contain them', () => {
  /** The cards whose number, MSISDN, IMSI or remark contain the keyword as typed (case aside). */
  function containing(keyword: string, only?: (iccid: string) => boolean): number {
    const k = keyword.trim().toLowerCase();
    return emulatorCards(stack).filter(
      (c) =>
        (!only || only(c.iccid)) &&
        [c.iccid, c.msisdn, c.imsi, c.remark].some((field) => (field ?? '').toLowerCase().includes(k)),
    ).length;
  }

  const KEYWORDS = NASTY_STRINGS.filter((k) => k.trim() && k.length <= 64);

  test('from the platform (a manager, no filter), from the index (a state filter), and for a driver', async () => {
    // A card whose remark does hold some of them: matching is literal, not a pattern.
    const marked = emulatorCards(stack).find((c) => stateOf(c) === 'active' && c.iccid !== fixtures.readIccid)!;
    const remark = "50% off_a.*b' OR 1=1 --\\";
    expect((await stack.fn('cards', MANAGER, { action: 'update', iccid: marked.iccid, remark })).ok).toBe(true);
    const own = new Set((await vehicle(stack)).iccids);
    const list = async (openid: string, filter: Record<string, unknown>) => {
      const reply = await stack.fn('cards', openid, { action: 'list', skip: 0, take: 100, ...filter });
      return reply.ok ? (reply.data.total as number) : reply.error;
    };
    const problems: string[] = [];
    for (const keyword of [...KEYWORDS, '%', '_', '.*', "' OR 1=1 --", '\\', '1=1']) {
      const got = {
        platform: await list(MANAGER, { keyword }),
        index: await list(STAFF, { keyword, state: 'active' }),
        driver: await list(DRIVER, { keyword }),
      };
      const wanted = {
        platform: containing(keyword),
        index: containing(keyword, (iccid) => stateOf(stack.emulator.platform.cards.get(iccid)!) === 'active'),
        driver: containing(keyword, (iccid) => own.has(iccid)),
      };
      if (JSON.stringify(got) !== JSON.stringify(wanted)) {
        problems.push(`${JSON.stringify(keyword)}: ${JSON.stringify(got)} ≠ ${JSON.stringify(wanted)}`);
      }
    }
    expect(problems).toEqual([]);
    // The marked card is found by its literal text, and only it.
    expect(containing('50% off_a.*b')).toBe(1);
    expect(await list(MANAGER, { keyword: '50% off_a.*b' })).toBe(1);
  });

  test('a scanned text shaped like a pattern finds no card', async () => {
    for (const code of ['%', '.*', "' OR 1=1 --", '89%', '89.*', '8986%']) {
      const reply = await stack.fn('cards', MANAGER, { action: 'lookup', code });
      expect([code, reply.ok, reply.error?.code]).toEqual([code, false, 'NOT_FOUND']);
    }
  });
});

test('afterwards nothing of the fleet is lost: members, vehicles and the card index are all there', async () => {
  const members = await stack.deps.store.find<MemberDoc>('members', {}, { take: 1000 });
  expect(members).toEqual(expect.arrayContaining(before.members));
  for (const openid of [MANAGER, DRIVER, STAFF]) {
    const me = await stack.fn('login', openid, { action: 'me' });
    expect(me.data.member.openid).toBe(openid);
  }
  const vehicles = await stack.deps.store.find<VehicleDoc>('vehicles', {}, { take: 1000 });
  for (const v of before.vehicles) expect(vehicles.find((x) => x._id === v._id)?.plate).toBe(v.plate);
  expect(await stack.deps.store.count('cards')).toBeGreaterThanOrEqual(before.cards);
  const probe: Record<string, unknown> = {};
  expect([probe.role, probe.isAdmin, probe.polluted]).toEqual([undefined, undefined, undefined]);
});
