// `npm run emulator` as a process: starts on PLATFORM_PORT, gates calls, stops on Ctrl-C (SIGINT),
// and fails to start with a clear message.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { resolve } from 'node:path';
import { DEV, fetchToken, request } from '../helpers/emulator';

const ROOT = resolve(__dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const children: ChildProcess[] = [];
// Whatever the developer's shell exports, the child runs on the defaults unless a test says otherwise.
const UNSET = Object.fromEntries(
  [
    'PLATFORM_CLIENT_ID',
    'PLATFORM_CLIENT_SECRET',
    'PLATFORM_SUBSCRIPTION_KEY',
    'PAY_NOTIFY_SECRET',
    'SIM_CARDS',
    'SIM_SEED',
    'SIM_TOKEN_TTL_SEC',
    'SIM_TOKEN_GRACE_SEC',
    'SIM_NETWORK_DELAY_MS',
    'SIM_NOTIFY_TIME_SCALE',
    'SIM_RATE_LIMIT_PER_SEC',
  ].map((name) => [name, '']),
);
const servers: Server[] = [];

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      // Its own process group (detached): the tsx launcher and the node process it runs go together.
      process.kill(-child.pid, 'SIGKILL');
    }
  }
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
});

/** A port nobody listens on: listen on 0, note the port, close. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

interface Run {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runEmulator(env: Record<string, string>): Run {
  const child = spawn(TSX, ['dev/platform/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...UNSET, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return { child, output: () => ({ stdout, stderr }), exited };
}

/** Resolves with the started line; rejects if the process ends first. */
function started(run: Run): Promise<string> {
  return new Promise((done, fail) => {
    const check = () => {
      const line = /^.*已启动.*(?=\r?\n)/m.exec(run.output().stdout); // a whole line, not half a chunk
      if (line) {
        run.child.stdout?.off('data', check);
        done(line[0]);
      }
    };
    run.child.stdout?.on('data', check);
    check();
    void run.exited.then(({ code }) =>
      fail(new Error(`emulator exited (${code}) before starting: ${JSON.stringify(run.output())}`)),
    );
  });
}

describe('npm run emulator', () => {
  it('starts on PLATFORM_PORT, answers 401 without a key and 403 without the scope, and stops on SIGINT', async () => {
    const port = await freePort();
    const run = runEmulator({ PLATFORM_PORT: String(port) });
    const line = await started(run);
    const url = `http://127.0.0.1:${port}`;
    expect(line).toContain(url);
    expect(line).toContain('200 张卡');

    const noKey = await request(url, 'GET', '/cardservice/flowcards');
    expect(noKey.status).toBe(401);
    expect(noKey.body).toEqual(expect.objectContaining({ code: 401 }));

    const paymentsOnly = await fetchToken(url, 'iot.paymentservice.all');
    const headers = { 'ocp-apim-subscription-key': DEV.subscriptionKey, authorization: `Bearer ${paymentsOnly}` };
    const forbidden = await request(url, 'GET', '/cardservice/flowcards', { headers });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body).toEqual(expect.objectContaining({ code: 403 }));

    const cards = await fetchToken(url, 'iot.cardservice.all');
    const allowed = await request(url, 'GET', '/cardservice/flowcards/types', {
      headers: { ...headers, authorization: `Bearer ${cards}` },
    });
    expect(allowed.status).toBe(200);

    run.child.kill('SIGINT');
    expect(await run.exited).toEqual({ code: 0, signal: null });
    await expect(fetch(`${url}/__sim/stats`)).rejects.toThrow();
    expect(run.output().stderr).toBe('');
  });

  it('refuses to start on a PLATFORM_PORT that is no number, saying which and why', async () => {
    const run = runEmulator({ PLATFORM_PORT: 'eighty' });
    expect((await run.exited).code).toBe(1);
    expect(run.output().stderr).toMatch(/模拟器启动失败.*PLATFORM_PORT.*"eighty"/);
    expect(run.output().stdout).not.toContain('已启动');
  });

  it('refuses to start on a port already taken', async () => {
    const taken = createServer();
    servers.push(taken);
    await new Promise<void>((done) => taken.listen(0, '127.0.0.1', done));
    const { port } = taken.address() as { port: number };
    const run = runEmulator({ PLATFORM_PORT: String(port) });
    expect((await run.exited).code).toBe(1);
    expect(run.output().stderr).toMatch(/模拟器启动失败.*EADDRINUSE/);
  });
});
