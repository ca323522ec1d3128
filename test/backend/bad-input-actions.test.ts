// Every action of every function through the host, as the manager (so no role check hides the validation):
// wrong types, missing and unknown fields, prototype keys, nulls, arrays where text is expected, text of every
// awkward kind (control characters, RTL marks, emoji, surrogate halves, SQL- and regex-shaped keywords),
// 900 KB strings and 40,000-element arrays → INVALID_ARGUMENT or a sound answer: never INTERNAL, never a
// platform error, never a hang, never a stack trace, every message Chinese. The list of actions comes from
// one table (test/helpers/bad-input.ts); a test fails if the functions answer an action the table lacks.
// Roles are authorization-matrix.test.ts's; whole-request shapes, 10 MB bodies and strangers are in
// bad-input-host.test.ts.
import { FUNCTION_ACTIONS } from '../../cloudfunctions/shared/functions/index';
import { ok } from '../helpers/admin';
import {
  actionTable,
  judge,
  makeFixtures,
  post,
  rows,
  variantsOf,
  type ActionCase,
  type ActionTable,
  type Fixtures,
} from '../helpers/bad-input';
import { MANAGER } from '../helpers/cards';
import { startTestStack, type TestStack } from '../helpers/stack';

jest.setTimeout(180_000);

const NAMES_ONLY: Fixtures = {
  readIccid: '',
  stopIccid: '',
  updateIccid: '',
  jobIccid: '',
  outTradeNo: '',
  cancelOutTradeNo: '',
  jobId: '',
};
const ROWS = rows(actionTable(NAMES_ONLY));

let stack: TestStack;
let table: ActionTable;
let logged: unknown[][];

beforeAll(async () => {
  stack = await startTestStack();
  const tagJob = async (iccid: string) =>
    (await ok(stack, 'admin', MANAGER, { action: 'startJob', kind: 'tag', iccids: [iccid], tags: ['准备'] })).id;
  table = actionTable(await makeFixtures(stack, tagJob));
});
afterAll(() => stack.stop());

beforeEach(() => {
  // Functions log only what they did not expect (with its stack, for the developer): bad input never is.
  logged = [];
  jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void logged.push(args));
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const specOf = (fn: string, action: string): ActionCase =>
  (table as unknown as Record<string, Record<string, ActionCase>>)[fn][action];

function send(fn: string, text: string, label: string) {
  return post(`${stack.host.url}/fn/${fn}`, text, { 'x-openid': MANAGER }, label);
}

test('the table names every action of every function, and nothing else', () => {
  const inTable = ROWS.map(({ fn, action }) => `${fn}.${action}`).sort();
  const served = Object.entries(FUNCTION_ACTIONS)
    .flatMap(([fn, actions]) => actions.map((a) => `${fn}.${a}`))
    .sort();
  expect(inTable).toEqual(served);
  expect(served.length).toBeGreaterThan(30);
});

test.each(ROWS.map(({ fn, action }) => ({ name: `${fn}.${action}`, fn, action })))(
  '$name: every bad input answers INVALID_ARGUMENT or a sound answer, in Chinese, never an internal error',
  async ({ fn, action }) => {
    const spec = specOf(fn, action);
    const problems: string[] = [];
    // The sample itself passes validation: the variants below fail for what they change, nothing else.
    const sample = await send(fn, JSON.stringify({ action, ...spec.sample }), `${fn}.${action} sample`);
    const sampleProblem = judge(sample, spec.answers ?? 'ok');
    if (sampleProblem) problems.push(`the sample: ${sampleProblem}`);

    const variants = variantsOf({ fn, action, spec });
    for (const variant of variants) {
      const text = variant.raw ?? JSON.stringify(variant.body);
      const answer = await send(fn, text, `${fn}.${action} ${variant.label}`);
      const problem = judge(answer, variant.expect, variant.message);
      if (problem) problems.push(`${variant.label}: ${problem}`);
    }
    expect(problems).toEqual([]);
    expect(variants.length).toBeGreaterThan(5);
    expect(logged.map((args) => args.map(String).join(' ').slice(0, 300))).toEqual([]);
    // Nothing reached the prototype every object shares.
    const probe: Record<string, unknown> = {};
    expect([probe.role, probe.isAdmin, probe.polluted]).toEqual([undefined, undefined, undefined]);
  },
);
