// token: platform token fetches (the emulator's tokenIssued) for 1,000 concurrent calls over 8 holder
// instances sharing one SQLite file — against the seed's code samples, which fetch a token for every call.
import { PlatformClient } from '../../cloudfunctions/shared/platform/client';
import { SqliteStore } from '../../cloudfunctions/shared/store/sqlite';
import { startEmulator } from '../../dev/platform/server';
import { devConfig } from '../../dev/stack';
import { DEV, fetchToken } from '../../test/helpers/emulator';
import { tempDir } from '../../test/helpers/tmp';
import { fmtMs, fmtRatio, type Row } from './report';
import { now, sim } from './util';

const CALLS = 1000;
const INSTANCES = 8;

/** The naive client of the code samples: a token, then the call, every time. */
async function naiveCall(base: string): Promise<void> {
  const token = await fetchToken(base);
  const res = await fetch(`${base}/cardservice/flowcards?take=1`, {
    headers: { authorization: `Bearer ${token}`, 'ocp-apim-subscription-key': DEV.subscriptionKey },
  });
  await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`list answered ${res.status}`);
}

export async function benchToken(): Promise<Row[]> {
  // Rate limits out of the way (emulator and client): this figure counts token fetches, nothing else.
  const emulator = await startEmulator({ port: 0, cards: 50, settings: { rateLimitPerSec: 1_000_000 } });
  const tmp = tempDir('fleet-bench-token-');
  const stores: SqliteStore[] = [];
  try {
    const issued = async () => (await sim<{ tokenIssued: number }>(emulator.url, 'GET', '/stats')).tokenIssued;
    const config = devConfig(emulator.url, { PLATFORM_RATE_LIMIT_PER_SEC: '1000000' });
    const clients = Array.from({ length: INSTANCES }, () => {
      const store = new SqliteStore(tmp.file('tokens.db'));
      stores.push(store);
      return new PlatformClient(config.platform, store);
    });

    // Warm-up (not counted): both sides then meet a warm emulator and HTTP stack.
    await Promise.all(Array.from({ length: 50 }, () => naiveCall(emulator.url)));
    let before = await issued();
    let started = now();
    const ours = await Promise.allSettled(
      Array.from({ length: CALLS }, (_, i) => clients[i % INSTANCES].call('flowcard.list', { query: { take: 1 } })),
    );
    const oursMs = now() - started;
    const oursTokens = (await issued()) - before;
    const oursFailed = ours.filter((r) => r.status === 'rejected').length;

    before = await issued();
    started = now();
    const naive = await Promise.allSettled(Array.from({ length: CALLS }, () => naiveCall(emulator.url)));
    const naiveMs = now() - started;
    const naiveTokens = (await issued()) - before;
    const naiveFailed = naive.filter((r) => r.status === 'rejected').length;

    const failures = oursFailed + naiveFailed ? ` Failed calls: ours ${oursFailed}, naive ${naiveFailed}.` : '';
    return [
      {
        figure: `token fetches, ${CALLS} concurrent calls / ${INSTANCES} holders`,
        ours: String(oursTokens),
        baseline: String(naiveTokens),
        ratio: fmtRatio(oursTokens, naiveTokens),
        goal: '1 (one holder)',
        met: oursTokens === 1 && oursFailed === 0,
        note:
          `${INSTANCES} PlatformClients, each with its own SqliteStore on one file, fresh store (no token yet), after a warm-up of 50 naive calls; ` +
          `baseline: POST /connect/token then the call, for each call (the seed's samples). Counted by the ` +
          `emulator (/__sim/stats tokenIssued). Emulator and client rate limits raised to 1,000,000/s for both.` +
          failures,
        values: { oursTokens, naiveTokens, oursFailed, naiveFailed },
      },
      {
        figure: `token: elapsed for the ${CALLS} calls`,
        ours: fmtMs(oursMs),
        baseline: fmtMs(naiveMs),
        ratio: fmtRatio(oursMs, naiveMs),
        goal: '—',
        met: null,
        values: { oursMs: Math.round(oursMs), naiveMs: Math.round(naiveMs) },
      },
    ];
  } finally {
    for (const store of stores) await store.close();
    await emulator.close();
    tmp.remove();
  }
}
