// Child processes for tests: a TypeScript entry run with tsx in its own process group, its output
// collected, and every one of them killed by killAll() in the suite's afterAll.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
const TSX = resolve(ROOT, 'node_modules/.bin/tsx');
const children: ChildProcess[] = [];

// Whatever the developer's shell exports, the child runs on the defaults unless a test says otherwise.
export const UNSET_ENV = Object.fromEntries(
  [
    'PORT',
    'PLATFORM_PORT',
    'SQLITE_PATH',
    'PLATFORM_CLIENT_ID',
    'PLATFORM_CLIENT_SECRET',
    'PLATFORM_SUBSCRIPTION_KEY',
    'PAY_NOTIFY_SECRET',
    'ADMIN_OPENIDS',
    'BOOTSTRAP_CODE',
    'DEV_MODE',
    'SIM_CARDS',
    'SIM_SEED',
    'SIM_TOKEN_TTL_SEC',
    'SIM_TOKEN_GRACE_SEC',
    'SIM_NETWORK_DELAY_MS',
    'SIM_NOTIFY_TIME_SCALE',
    'SIM_RATE_LIMIT_PER_SEC',
  ].map((name) => [name, '']),
);

export interface Run {
  child: ChildProcess;
  output: () => { stdout: string; stderr: string };
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function runTsx(entry: string, env: Record<string, string>): Run {
  const child = spawn(TSX, [entry], {
    cwd: ROOT,
    env: { ...process.env, ...UNSET_ENV, ...env },
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

/** Resolves with the first whole stdout line matching `pattern`; rejects if the process ends first. */
export function waitForLine(run: Run, pattern: RegExp): Promise<string> {
  return new Promise((done, fail) => {
    const check = () => {
      const line = run
        .output()
        .stdout.split(/\r?\n/)
        .slice(0, -1) // a whole line, not half a chunk
        .find((l) => pattern.test(l));
      if (line !== undefined) {
        run.child.stdout?.off('data', check);
        done(line);
      }
    };
    run.child.stdout?.on('data', check);
    check();
    void run.exited.then(({ code }) =>
      fail(new Error(`process exited (${code}) before printing ${pattern}: ${JSON.stringify(run.output())}`)),
    );
  });
}

/** A port nobody listens on: listen on 0, note the port, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

export function killAll(): void {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      // Its own process group (detached): the tsx launcher and the node process it runs go together.
      process.kill(-child.pid, 'SIGKILL');
    }
  }
}
