// batch: a 2,000-card stop job at a platform rate limit of R calls/s (the emulator's and the client's),
// driven as the timer drives it (workJobs ticks of 2.5 s, back to back) after the startJob call's own first
// go — against stopping the cards one by one through the same client (measured on a sample, extrapolated).
import type { JobDoc } from '../../cloudfunctions/shared/services/jobs';
import { cardsIn, runUntilDone } from '../../test/helpers/jobs';
import { startTestStack } from '../../test/helpers/stack';
import { fmtMs, fmtRatio, type Row } from './report';
import { callFn, now } from './util';

const JOB_CARDS = 2000;
const FLEET = 2400;
const RATE = 50;
/** Each platform call answers this late (both sides): a platform across the internet, not loopback. */
const LATENCY_MS = 50;
const SAMPLE = 200;

type Stats = { network: Record<string, { stop: number; resume: number }>; rejected: { rateLimited: number } };

export async function benchBatch(): Promise<Row[]> {
  const stack = await startTestStack({
    emulator: { cards: FLEET, settings: { networkDelayMs: 50, rateLimitPerSec: RATE } },
    env: { PLATFORM_RATE_LIMIT_PER_SEC: String(RATE) },
  });
  try {
    const ideal = (JOB_CARDS / RATE) * 1000;
    await stack.sim('POST', '/reset', { cards: FLEET }); // counters at zero
    await stack.sim('POST', '/faults', { latencyMs: LATENCY_MS });
    const targets = cardsIn(stack, 'active', JOB_CARDS);

    // Ours: the manager starts the job (its first go, 1.5 s), then the timer's ticks until it is done.
    const started = now();
    const reply = await callFn(stack.host.url, 'admin', 'dev-manager', {
      action: 'startJob',
      kind: 'stop',
      iccids: targets,
      reason: '车队停运检修',
    });
    if (!reply.ok) throw new Error(`startJob failed: ${JSON.stringify(reply.error)}`);
    const jobId = (reply.data as { id: string }).id;
    const ticks = await runUntilDone(stack.deps, jobId, { maxTicks: 200 });
    const elapsed = now() - started;
    const job = (await stack.deps.store.get<JobDoc>('jobs', jobId)) as JobDoc;
    const stats = await stack.sim<Stats>('GET', '/stats');
    const wanted = new Set(targets);
    const once = targets.filter((i) => stats.network[i]?.stop === 1 && stats.network[i]?.resume === 0).length;
    const others = Object.keys(stats.network).filter((i) => !wanted.has(i)).length;
    const ours429 = stats.rejected.rateLimited;

    // One by one: a second fresh fleet, the same client, one stop call after another.
    await stack.sim('POST', '/reset', { cards: FLEET });
    await stack.sim('POST', '/faults', { latencyMs: LATENCY_MS });
    const sample = cardsIn(stack, 'active', SAMPLE);
    const sampleStarted = now();
    for (const iccid of sample) {
      await stack.deps.platform.call('flowcard.network', { params: { iccid }, body: { action: 'stop' } });
    }
    const sampleMs = now() - sampleStarted;
    const naive = (sampleMs / SAMPLE) * JOB_CARDS;
    const naiveStats = await stack.sim<Stats>('GET', '/stats');
    const naiveOnce = sample.filter((i) => naiveStats.network[i]?.stop === 1).length;
    // The same loop with no added latency: then it too runs at the rate limit.
    await stack.sim('POST', '/reset', { cards: FLEET });
    const loopStarted = now();
    for (const iccid of cardsIn(stack, 'active', SAMPLE)) {
      await stack.deps.platform.call('flowcard.network', { params: { iccid }, body: { action: 'stop' } });
    }
    const loopbackRatio = (((now() - loopStarted) / SAMPLE) * JOB_CARDS) / ideal;

    const ratio = elapsed / ideal;
    const allOnce = once === JOB_CARDS && others === 0 && job.succeeded === JOB_CARDS;
    return [
      {
        figure: `batch: ${JOB_CARDS}-card stop job at ${RATE}/s, elapsed ÷ (${JOB_CARDS}/R)`,
        ours: `${ratio.toFixed(3)} (${fmtMs(elapsed)})`,
        baseline: `${(naive / ideal).toFixed(3)} (${fmtMs(naive)}, extrap.)`,
        ratio: fmtRatio(elapsed, naive),
        goal: '<= 1.15',
        met: ratio <= 1.15 && allOnce,
        note:
          `Emulator rateLimitPerSec ${RATE} and PLATFORM_RATE_LIMIT_PER_SEC ${RATE}; every platform call ` +
          `${LATENCY_MS} ms late (/__sim/faults latencyMs, both sides); networkDelayMs 50. Ours: admin.startJob ` +
          `through the host (its 1.5 s first go) + ${ticks} workJobs ticks (runCron, 2.5 s budget, back to back), ` +
          `meeting ${ours429} 429 answers. Exactly once: ${once}/${JOB_CARDS} cards stopped exactly once per /__sim/stats, ` +
          `${others} other cards touched, job ${job.state} with ${job.succeeded} succeeded, ${job.failed} failed. ` +
          `Baseline: sequential flowcard.network stop calls through the same PlatformClient on a second fresh ` +
          `fleet, measured on ${SAMPLE} cards (${fmtMs(sampleMs)}, ${naiveOnce} stopped once) and extrapolated ` +
          `x${JOB_CARDS / SAMPLE}. Without the added latency the one-by-one loop also runs at the rate limit ` +
          `(${loopbackRatio.toFixed(3)} of 2000/R, ${SAMPLE} cards of a third fresh fleet): the job gains where a ` +
          `call takes longer than 1/R.`,
        values: {
          elapsedMs: Math.round(elapsed),
          idealMs: ideal,
          ratio: +ratio.toFixed(3),
          ticks,
          rateLimited: ours429,
          stoppedOnce: once,
          otherCardsTouched: others,
          succeeded: job.succeeded,
          failed: job.failed,
          baselineSampleMs: Math.round(sampleMs),
          baselineExtrapolatedMs: Math.round(naive),
          baselineRatioNoLatency: +loopbackRatio.toFixed(3),
        },
      },
    ];
  } finally {
    await stack.stop();
  }
}
