// `npm run emulator` as a process: starts on PLATFORM_PORT, gates calls, stops on Ctrl-C (SIGINT),
// and fails to start with a clear message.
import { createServer, type Server } from 'node:net';
import { DEV, fetchToken, request } from '../helpers/emulator';
import { freePort, killAll, runTsx, waitForLine } from '../helpers/process';

const servers: Server[] = [];

afterAll(async () => {
  killAll();
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
});

const runEmulator = (env: Record<string, string>) => runTsx('dev/platform/main.ts', env);
const started = (run: ReturnType<typeof runEmulator>) => waitForLine(run, /已启动/);

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
