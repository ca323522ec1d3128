// A whole dev stack (emulator + SQLite + functions host) for a suite, on free ports and a temp database.
import { startStack, type Stack, type StackOptions } from '../../dev/stack';
import { request } from './emulator';
import { tempDir } from './tmp';

export interface TestStack extends Stack {
  /** POST /fn/<name> as `openid` (no header when undefined); resolves to the envelope. */
  fn<T = any>(name: string, openid: string | undefined, body: Record<string, unknown>): Promise<any & { data: T }>;
  sim<T = any>(method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

export async function startTestStack(opts: Partial<StackOptions> = {}): Promise<TestStack> {
  const tmp = tempDir('fleet-stack-');
  const stack = await startStack({ sqlitePath: tmp.file('fleet.db'), ...opts });
  return Object.assign(stack, {
    async fn(name: string, openid: string | undefined, body: Record<string, unknown>) {
      const reply = await request(stack.host.url, 'POST', `/fn/${name}`, {
        body,
        headers: openid === undefined ? {} : { 'x-openid': openid },
      });
      if (reply.status !== 200) throw new Error(`host answered ${reply.status}: ${JSON.stringify(reply.body)}`);
      return reply.body;
    },
    async sim(method: string, path: string, body?: unknown) {
      return (await request(stack.emulator.url, method, `/__sim${path}`, { body })).body;
    },
    async stop() {
      await stack.close();
      tmp.remove();
    },
  });
}
