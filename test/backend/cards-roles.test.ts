// Who may call each action of `cards`: one table of action × manager / staff / driver on their own card /
// driver on another vehicle's card / stranger, run against the host.
import { DRIVER, MANAGER, STAFF, STRANGER, pickCards } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

let stack: TestStack;
let own: string;
let other: string;

beforeAll(async () => {
  stack = await startTestStack();
  const picked = await pickCards(stack);
  own = picked.own[0];
  other = picked.others[0].iccid;
});
afterAll(() => stack.stop());

type Outcome = 'ok' | 'FORBIDDEN' | 'NOT_FOUND';
type Who = 'manager' | 'staff' | 'driverOwn' | 'driverOther' | 'stranger';

const CALLERS: Record<Who, { openid: string; card: () => string }> = {
  manager: { openid: MANAGER, card: () => own },
  staff: { openid: STAFF, card: () => own },
  driverOwn: { openid: DRIVER, card: () => own },
  driverOther: { openid: DRIVER, card: () => other },
  stranger: { openid: STRANGER, card: () => own },
};

const READ: Record<Who, Outcome> = {
  manager: 'ok',
  staff: 'ok',
  driverOwn: 'ok',
  driverOther: 'FORBIDDEN',
  stranger: 'FORBIDDEN',
};
const MANAGER_ONLY: Record<Who, Outcome> = {
  manager: 'ok',
  staff: 'FORBIDDEN',
  driverOwn: 'FORBIDDEN',
  driverOther: 'FORBIDDEN',
  stranger: 'FORBIDDEN',
};
// Fleet-wide reads: a driver gets their own part of the fleet, whichever card is in mind.
const FLEET_READ: Record<Who, Outcome> = { ...READ, driverOther: 'ok' };

// The mutating actions come last: the manager's stop changes the card the others read.
const MATRIX: Array<[string, (iccid: string) => Record<string, unknown>, Record<Who, Outcome>]> = [
  ['list', () => ({ skip: 0, take: 5 }), FLEET_READ],
  ['summary', () => ({}), FLEET_READ],
  ['locations', () => ({}), FLEET_READ],
  ['detail', (iccid) => ({ iccid }), READ],
  ['usage', (iccid) => ({ iccid }), READ],
  ['history', (iccid) => ({ iccid, days: 30 }), READ],
  ['location', (iccid) => ({ iccid }), READ],
  ['realName', (iccid) => ({ iccid }), READ],
  // Scanning another vehicle's card tells a driver it is not theirs, without saying more.
  ['lookup', (iccid) => ({ code: iccid }), { ...READ, driverOther: 'NOT_FOUND' }],
  ['update', (iccid) => ({ iccid, remark: '权限矩阵' }), MANAGER_ONLY],
  ['setNetwork', (iccid) => ({ iccid, op: 'stop', reason: '权限矩阵测试' }), MANAGER_ONLY],
];

const cases = MATRIX.flatMap(([action, body, expected]) =>
  (Object.keys(expected) as Who[]).map((who) => [action, who, expected[who], body] as const),
);

test.each(cases)('%s by %s → %s', async (action, who, expected, body) => {
  const caller = CALLERS[who];
  const reply = await stack.fn('cards', caller.openid, { action, ...body(caller.card()) });
  if (expected === 'ok') {
    expect(reply.error).toBeUndefined();
    expect(reply.ok).toBe(true);
  } else {
    expect(reply.ok).toBe(false);
    expect(reply.error.code).toBe(expected);
    expect(reply.error.message).toMatch(/[\u4e00-\u9fff]/);
  }
});

test('an unknown action, and a call without an identity, are refused', async () => {
  expect((await stack.fn('cards', MANAGER, { action: 'explode' })).error.code).toBe('INVALID_ARGUMENT');
  expect((await stack.fn('cards', undefined, { action: 'summary' })).error.code).toBe('UNAUTHENTICATED');
});
