// Calls for the admin and alerts suites: unwrap a reply that must succeed, or the error of one that must not.
import type { Collection } from '../../cloudfunctions/shared/store/store';
import { startTestStack, type TestStack } from './stack';

export async function ok<T = any>(
  stack: TestStack,
  fn: string,
  openid: string,
  body: Record<string, unknown>,
): Promise<T> {
  const reply = await stack.fn(fn, openid, body);
  if (!reply.ok) throw new Error(`${fn}.${String(body.action)} failed: ${JSON.stringify(reply.error)}`);
  return reply.data as T;
}

export async function fails(
  stack: TestStack,
  fn: string,
  openid: string | undefined,
  body: Record<string, unknown>,
): Promise<{ code: string; message: string }> {
  const reply = await stack.fn(fn, openid, body);
  if (reply.ok) throw new Error(`${fn}.${String(body.action)} should have failed: ${JSON.stringify(reply.data)}`);
  return reply.error;
}

/** A stranger (a new openid) who redeems an invite and becomes a member. */
export async function joinWith(stack: TestStack, openid: string, code: string) {
  return (await ok(stack, 'login', openid, { action: 'redeemInvite', code })).member;
}

export async function docs<T = any>(stack: TestStack, collection: Collection, where = {}): Promise<T[]> {
  return stack.deps.store.find<any>(collection, where, { take: 1000 });
}

/**
 * The suite's stack, started once. A test may move the functions' clock (`stack().deps.now`); the real
 * clock is back for the next test.
 */
export function suiteStack(): () => TestStack {
  let stack: TestStack | undefined;
  let realNow: () => number = Date.now;
  beforeAll(async () => {
    stack = await startTestStack();
    realNow = stack.deps.now;
  });
  afterEach(() => {
    if (stack) stack.deps.now = realNow;
  });
  afterAll(async () => stack?.stop());
  return () => {
    if (!stack) throw new Error('the suite stack is not started');
    return stack;
  };
}
