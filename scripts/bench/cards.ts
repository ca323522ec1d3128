// cards: cards.list through the host (POST /fn/cards as dev-manager), sequential calls, p50 and p95, with
// the emulator answering at once and 50 ms late; platform calls per list page on the platform path (no
// filter: one flowcard.list per page) and on the index path (a state filter: none).
import { startTestStack, type TestStack } from '../../test/helpers/stack';
import { fmtMs, NONE, type Row } from './report';
import { callFn, now, percentile } from './util';

const CALLS = 200;
const CARDS = 1000;
const PAGE = 20;

type Stats = { operations: Record<string, number> };

/** Every API call the emulator answered (the identity server's token and authorize are not API calls). */
const apiCalls = (stats: Stats) =>
  Object.entries(stats.operations)
    .filter(([op]) => op !== 'token' && op !== 'authorize')
    .reduce((sum, [, n]) => sum + n, 0);

interface Run {
  p50: number;
  p95: number;
  perPage: number;
  listPerPage: number;
  failed: number;
}

async function run(stack: TestStack, filter: Record<string, unknown>): Promise<Run> {
  const before = await stack.sim<Stats>('GET', '/stats');
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < CALLS; i++) {
    const skip = (i * PAGE) % CARDS;
    const started = now();
    const reply = await callFn(stack.host.url, 'cards', 'dev-manager', { action: 'list', skip, take: PAGE, ...filter });
    times.push(now() - started);
    if (!reply.ok) failed += 1;
  }
  const after = await stack.sim<Stats>('GET', '/stats');
  const list = (s: Stats) => s.operations['flowcard.list'] ?? 0;
  return {
    p50: percentile(times, 50),
    p95: percentile(times, 95),
    perPage: (apiCalls(after) - apiCalls(before)) / CALLS,
    listPerPage: (list(after) - list(before)) / CALLS,
    failed,
  };
}

export async function benchCards(): Promise<Row[]> {
  // Rate limits raised (emulator and client) so a sequential loop is not paced by the limiter.
  const stack = await startTestStack({
    emulator: { cards: CARDS, settings: { rateLimitPerSec: 100_000 } },
    env: { PLATFORM_RATE_LIMIT_PER_SEC: '100000' },
  });
  try {
    await run(stack, {}); // warm-up, not counted
    const fast = await run(stack, {});
    const fastIndex = await run(stack, { state: 'active' });
    await stack.sim('POST', '/faults', { latencyMs: 50 });
    const slow = await run(stack, {});
    const slowIndex = await run(stack, { state: 'active' });
    await stack.sim('POST', '/faults', {});
    const failed = fast.failed + fastIndex.failed + slow.failed + slowIndex.failed;
    const pp = (r: Run) => `p50 ${fmtMs(r.p50)} · p95 ${fmtMs(r.p95)}`;
    const latencyRow = (label: string, r: Run): Row => ({
      figure: `cards.list ${label}`,
      ours: pp(r),
      baseline: NONE,
      ratio: NONE,
      goal: NONE,
      met: r.failed === 0 ? null : false,
      values: { p50: +r.p50.toFixed(2), p95: +r.p95.toFixed(2), failed: r.failed },
    });
    return [
      {
        ...latencyRow('platform path, emulator 0 ms', fast),
        note:
          `${CALLS} sequential calls per row through the host (POST /fn/cards as dev-manager, take ${PAGE}, ` +
          `skip stepping through a ${CARDS}-card fleet), after ${CALLS} warm-up calls; emulator and client rate ` +
          `limits raised to 100,000/s so the loop is not paced. Latency added with /__sim/faults {latencyMs: 50}.` +
          (failed ? ` ${failed} calls failed.` : ''),
      },
      latencyRow('platform path, emulator 50 ms', slow),
      latencyRow('index path (state filter), emulator 0 ms', fastIndex),
      latencyRow('index path (state filter), emulator 50 ms', slowIndex),
      {
        figure: 'platform calls per list page, platform path',
        ours: slow.perPage.toFixed(2),
        baseline: NONE,
        ratio: NONE,
        goal: '1',
        met: fast.perPage === 1 && slow.perPage === 1,
        note:
          'Every API call the emulator counted (/__sim/stats operations, token excluded) ÷ pages, over both ' +
          `platform-path runs (0 ms: ${fast.perPage.toFixed(2)}, of which flowcard.list ${fast.listPerPage.toFixed(2)}).`,
        values: { zeroMs: fast.perPage, fiftyMs: slow.perPage, flowcardList: fast.listPerPage },
      },
      {
        figure: 'platform calls per list page, index path',
        ours: slowIndex.perPage.toFixed(2),
        baseline: NONE,
        ratio: NONE,
        goal: '0',
        met: fastIndex.perPage === 0 && slowIndex.perPage === 0,
        values: { zeroMs: fastIndex.perPage, fiftyMs: slowIndex.perPage },
      },
    ];
  } finally {
    await stack.stop();
  }
}
