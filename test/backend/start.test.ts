// `npm start` as a process: emulator + functions host + SQLite + seeded fleet on the ports given,
// both addresses printed, the dev identities answered, Ctrl-C (SIGINT) stopping both.
import { request } from '../helpers/emulator';
import { freePort, killAll, runTsx, waitForLine } from '../helpers/process';
import { tempDir } from '../helpers/tmp';

const tmp = tempDir('fleet-start-');
afterAll(() => {
  killAll();
  tmp.remove();
});

test('npm start serves the dev stack interface and stops on SIGINT', async () => {
  const [port, platformPort] = [await freePort(), await freePort()];
  const run = runTsx('dev/start.ts', {
    PORT: String(port),
    PLATFORM_PORT: String(platformPort),
    SQLITE_PATH: tmp.file('fleet.db'),
  });
  await waitForLine(run, /Ctrl-C/);
  const host = `http://127.0.0.1:${port}`;
  const platform = `http://127.0.0.1:${platformPort}`;
  expect(run.output().stdout).toContain(host);
  expect(run.output().stdout).toContain(platform);

  expect((await request(host, 'GET', '/healthz')).status).toBe(200);
  const me = await request(host, 'POST', '/fn/login', {
    body: { action: 'me' },
    headers: { 'x-openid': 'dev-manager' },
  });
  expect(me.body).toEqual({ ok: true, data: { member: expect.objectContaining({ role: 'manager' }) } });
  const stranger = await request(host, 'POST', '/fn/login', { body: { action: 'me' }, headers: { 'x-openid': 'x1' } });
  expect(stranger.body).toEqual({ ok: true, data: { member: null } });
  expect((await request(platform, 'GET', '/cardservice/flowcards')).status).toBe(401);

  run.child.kill('SIGINT');
  expect(await run.exited).toEqual({ code: 0, signal: null });
  await expect(fetch(`${host}/healthz`)).rejects.toThrow();
  await expect(fetch(`${platform}/__sim/stats`)).rejects.toThrow();
  expect(run.output().stderr).toBe('');
});

test('a port already in use stops npm start with a sentence that says what to do', async () => {
  const port = await freePort();
  const first = runTsx('dev/start.ts', {
    PORT: String(port),
    PLATFORM_PORT: String(await freePort()),
    SQLITE_PATH: tmp.file('a.db'),
  });
  await waitForLine(first, /Ctrl-C/);
  const second = runTsx('dev/start.ts', {
    PORT: String(port),
    PLATFORM_PORT: String(await freePort()),
    SQLITE_PATH: tmp.file('b.db'),
  });
  expect((await second.exited).code).toBe(1);
  expect(second.output().stderr).toMatch(/端口已被占用/);
  first.child.kill('SIGINT');
  expect((await first.exited).code).toBe(0);
});
