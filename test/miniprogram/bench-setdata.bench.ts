// Bench only (never in `npm test`: `npm run bench` runs it through scripts/bench/jest.setdata.config.js).
// The card list page, as a manager, paged to the end of a 10,000-card fleet: every setData the page makes
// while paging is measured (UTF-8 bytes of its JSON), and the figures go to BENCH_SETDATA_OUT.
// The first page is rendered for real; after it, setData is recorded but not drawn: jsdom takes ~0.2 s
// and more per page of 20 rows as the list grows, so drawing 10,000 rows would take far too long. What
// the page sends does not depend on the drawing (its rows come from the store and what it sent last).
import { writeFileSync } from 'node:fs';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage } from './harness';

const CARDS = Number(process.env.BENCH_SETDATA_CARDS || 10_000);
const OUT = process.env.BENCH_SETDATA_OUT;
/** Bounded: a page that never reports the end fails instead of looping. */
const MAX_PAGES = Math.ceil(CARDS / 20) + 50;

jest.setTimeout(240_000);

let stack: TestStack;
beforeAll(async () => {
  // Rate limits raised so the page's calls are not paced: this figure is about payload size, not speed.
  stack = await startTestStack({
    emulator: { cards: CARDS, settings: { rateLimitPerSec: 100_000 } },
    env: { PLATFORM_RATE_LIMIT_PER_SEC: '100000' },
  });
});
afterAll(() => stack?.stop());

test(`the largest setData while paging through ${CARDS} cards`, async () => {
  const page = await renderPage('cards', { openid: 'dev-manager', stack });
  const store = page.mod('stores/cards').cardsStore;
  const firstPaint = { rows: page.data.list.length, dataBytes: Buffer.byteLength(JSON.stringify(page.data)) };
  const calls: number[] = [];
  const rowsSent = new Set<number>(Array.from({ length: firstPaint.rows }, (_, i) => i));
  page.instance.setData = (data: Record<string, unknown>, callback?: () => void) => {
    calls.push(Buffer.byteLength(JSON.stringify(data)));
    for (const key of Object.keys(data)) {
      const row = /^list\[(\d+)\]$/.exec(key);
      if (row) rowsSent.add(Number(row[1]));
      if (key === 'list') (data.list as unknown[]).forEach((_, i) => rowsSent.add(i));
    }
    callback?.();
  };
  const started = Date.now();
  let pages = 1;
  while (store.hasMore && pages < MAX_PAGES) {
    await page.lifecycle('onReachBottom');
    pages += 1;
  }
  const result = {
    cards: CARDS,
    rows: store.rows.length,
    pages,
    calls: calls.length,
    maxBytes: Math.max(0, ...calls),
    rowsSent: rowsSent.size,
    firstPaint,
    ms: Date.now() - started,
  };
  if (OUT) writeFileSync(OUT, JSON.stringify(result));
  expect(result.rows).toBe(CARDS);
  expect(result.rowsSent).toBe(CARDS);
});
