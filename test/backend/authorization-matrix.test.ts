// One table of every action × role, run against the host: who may do what (architecture.md, "Roles").
// `ok` means the call succeeds; `allowed` means it passes the role and ownership checks (it may still be
// refused for another reason, e.g. a card that cannot be resumed); `FORBIDDEN` means it is refused for
// who is asking. A test below makes sure no action of any function is missing from the table.
import { FUNCTION_ACTIONS } from '../../cloudfunctions/shared/functions/index';
import { DRIVER, MANAGER, STAFF, STRANGER, pickCards } from '../helpers/cards';
import { createOrder } from '../helpers/pay';
import { startTestStack, type TestStack } from '../helpers/stack';

type Expect = 'ok' | 'allowed' | 'FORBIDDEN';
type Who = 'manager' | 'driverOwn' | 'driverOther' | 'staff' | 'stranger';
interface Ctx {
  own: string;
  other: string;
  ownOrder: string;
  otherOrder: string;
}
/** The request: for driverOwn/driverOther the card (or order) differs, for the others the own one is used. */
type Body = (ctx: Ctx, mine: boolean, who: Who) => Record<string, unknown>;

const WHO: Record<Who, string> = {
  manager: MANAGER,
  driverOwn: DRIVER,
  driverOther: DRIVER,
  staff: STAFF,
  stranger: STRANGER,
};

const card = (ctx: Ctx, mine: boolean) => (mine ? ctx.own : ctx.other);
const F = 'FORBIDDEN' as const;

// [function, action, body, manager, driverOwn, driverOther, staff, stranger]
const MATRIX: Array<[string, string, Body, Expect, Expect, Expect, Expect, Expect]> = [
  ['login', 'me', () => ({}), 'ok', 'ok', 'ok', 'ok', 'ok'],
  ['login', 'login', () => ({ code: 'not-a-real-code' }), 'allowed', 'allowed', 'allowed', 'allowed', 'allowed'],
  ['login', 'redeemInvite', () => ({ code: 'ZZZZ2222' }), 'allowed', 'allowed', 'allowed', 'allowed', 'allowed'],

  ['cards', 'list', () => ({ skip: 0, take: 5 }), 'ok', 'ok', 'ok', 'ok', F],
  ['cards', 'summary', () => ({}), 'ok', 'ok', 'ok', 'ok', F],
  ['cards', 'detail', (c, m) => ({ iccid: card(c, m) }), 'ok', 'ok', F, 'ok', F],
  ['cards', 'usage', (c, m) => ({ iccid: card(c, m) }), 'ok', 'ok', F, 'ok', F],
  ['cards', 'history', (c, m) => ({ iccid: card(c, m), days: 30 }), 'ok', 'ok', F, 'ok', F],
  ['cards', 'location', (c, m) => ({ iccid: card(c, m) }), 'ok', 'ok', F, 'ok', F],
  ['cards', 'locations', () => ({}), 'ok', 'ok', 'ok', 'ok', F],
  ['cards', 'realName', (c, m) => ({ iccid: card(c, m) }), 'ok', 'ok', F, 'ok', F],
  ['cards', 'lookup', (c, m) => ({ code: card(c, m) }), 'ok', 'ok', 'allowed', 'ok', F],
  [
    'cards',
    'setNetwork',
    (c, m) => ({ iccid: card(c, m), op: 'resume', reason: '权限矩阵测试' }),
    'allowed',
    F,
    F,
    F,
    F,
  ],
  ['cards', 'update', (c, m) => ({ iccid: card(c, m), remark: '权限矩阵' }), 'ok', F, F, F, F],

  ['pay', 'categories', () => ({}), 'ok', 'ok', 'ok', F, F],
  ['pay', 'products', (c, m) => ({ iccid: card(c, m) }), 'ok', 'ok', F, F, F],
  ['pay', 'create', (c, m) => ({ iccid: card(c, m), productId: 'P-M-1G' }), 'ok', 'ok', F, F, F],
  ['pay', 'order', (c, m) => ({ outTradeNo: m ? c.ownOrder : c.otherOrder }), 'ok', 'ok', F, F, F],
  ['pay', 'orders', () => ({ skip: 0, take: 10 }), 'ok', 'ok', 'ok', F, F],
  ['pay', 'stats', () => ({ from: '2026-01-01', to: '2026-01-31' }), 'ok', F, F, F, F],
  // Only the payer acts in the pay sheet: the manager pays the order the manager placed.
  [
    'pay',
    'devPay',
    (c, m, who) => ({ outTradeNo: m && who !== 'manager' ? c.ownOrder : c.otherOrder, result: 'cancel' }),
    'ok',
    'ok',
    F,
    F,
    F,
  ],
  // Only the payer resumes or cancels their order (after devPay above, which needs it open).
  [
    'pay',
    'resume',
    (c, m, who) => ({ outTradeNo: m && who !== 'manager' ? c.ownOrder : c.otherOrder }),
    'ok',
    'ok',
    F,
    F,
    F,
  ],
  [
    'pay',
    'cancel',
    (c, m, who) => ({ outTradeNo: m && who !== 'manager' ? c.ownOrder : c.otherOrder }),
    'ok',
    'ok',
    F,
    F,
    F,
  ],

  ['admin', 'members', () => ({}), 'ok', F, F, F, F],
  ['admin', 'invite', () => ({ role: 'staff' }), 'ok', F, F, F, F],
  ['admin', 'invites', () => ({}), 'ok', F, F, F, F],
  ['admin', 'removeMember', () => ({ openid: 'nobody-at-all' }), 'ok', F, F, F, F],
  ['admin', 'vehicles', () => ({}), 'ok', F, F, F, F],
  ['admin', 'saveVehicle', () => ({ plate: '粤B99999', iccids: [], driverOpenids: [] }), 'allowed', F, F, F, F],
  ['admin', 'audit', () => ({ skip: 0, take: 10 }), 'ok', F, F, F, F],
  ['admin', 'startJob', (c) => ({ kind: 'tag', iccids: [c.other], tags: ['矩阵'] }), 'ok', F, F, F, F],
  ['admin', 'job', () => ({ jobId: 'no-such-job' }), 'allowed', F, F, F, F],
  ['admin', 'jobs', () => ({}), 'ok', F, F, F, F],
  ['admin', 'datacards', () => ({ skip: 0, take: 10 }), 'ok', F, F, F, F],
  ['admin', 'alerts', () => ({}), 'ok', F, F, F, F],
  ['admin', 'saveAlert', () => ({ thresholdPercent: 10, notify: [MANAGER] }), 'ok', F, F, F, F],
  ['admin', 'deleteAlert', () => ({ id: 'no-such-rule' }), 'ok', F, F, F, F],
];

const ROLES: Who[] = ['manager', 'driverOwn', 'driverOther', 'staff', 'stranger'];
let stack: TestStack;
let ctx: Ctx;

beforeAll(async () => {
  stack = await startTestStack();
  const { own, others } = await pickCards(stack);
  const [ownOrder, otherOrder] = [
    await createOrder(stack, DRIVER, own[0]),
    await createOrder(stack, MANAGER, others[0].iccid),
  ];
  ctx = {
    own: own[0],
    other: others[0].iccid,
    ownOrder: ownOrder.outTradeNo,
    otherOrder: otherOrder.outTradeNo,
  };
});
afterAll(() => stack.stop());

test('the table names every action of every function exactly once', () => {
  const inTable = MATRIX.map(([fn, action]) => `${fn}.${action}`).sort();
  const served = Object.entries(FUNCTION_ACTIONS)
    .flatMap(([fn, actions]) => actions.map((a) => `${fn}.${a}`))
    .sort();
  expect(inTable).toEqual(served);
});

const cases = MATRIX.flatMap(([fn, action, body, ...expects]) =>
  ROLES.map((who, i) => ({ name: `${fn}.${action}`, fn, action, body, who, expected: expects[i] })),
);

test.each(cases)('$name as $who → $expected', async ({ fn, action, body, who, expected }) => {
  const reply = await stack.fn(fn, WHO[who], { action, ...body(ctx, who !== 'driverOther', who) });
  if (expected === 'FORBIDDEN') {
    expect(reply).toEqual({
      ok: false,
      error: { code: 'FORBIDDEN', message: expect.stringMatching(/[\u4e00-\u9fff]/) },
    });
  } else if (expected === 'ok') {
    expect(reply.error).toBeUndefined();
    expect(reply.ok).toBe(true);
  } else {
    expect(['FORBIDDEN', 'UNAUTHENTICATED', 'INTERNAL']).not.toContain(reply.error?.code);
  }
});
