// Paging through a fleet of 10,000 cards against the real dev host: the list's store loads 20 at a time and
// what the page would send to its view (rowPatches, the function the page's setData uses) is weighed call by
// call. The view itself is not drawn here: simulate re-renders the whole tree on every setData.
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderPage } from './harness';

const FLEET = 10_000;
const LIMIT = 32 * 1024;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  await stack.sim('POST', '/reset', { cards: FLEET });
});
afterAll(() => stack.stop());

test('10,000 cards arrive 20 at a time; every setData is a page of row paths under 32 KB, never the whole list', async () => {
  const page = await renderPage('cards', {
    openid: 'dev-manager',
    stack,
    before: (mod) => mod('pages/cards/row-patches'),
  });
  const { cardsStore } = page.mod('stores/cards');
  const { rowPatches } = page.mod('pages/cards/row-patches');
  expect(cardsStore.rows).toHaveLength(20);
  expect(cardsStore.total).toBe(FLEET);
  page.unmount(); // from here on the store is driven directly, as the page's reaction would

  const sizes: number[] = [];
  let shown = cardsStore.rows;
  while (cardsStore.hasMore) {
    const before = shown.length;
    const added = await cardsStore.loadMore();
    expect(added).toBe(Math.min(20, FLEET - before));
    const patches = rowPatches(shown, cardsStore.rows, new Set());
    expect(patches).toHaveLength(1);
    expect(Object.keys(patches[0])).toEqual(Array.from({ length: added }, (_, i) => `list[${before + i}]`));
    sizes.push(JSON.stringify(patches[0]).length);
    shown = cardsStore.rows;
  }
  expect(cardsStore.rows).toHaveLength(FLEET);
  expect(new Set(cardsStore.rows.map((c: { iccid: string }) => c.iccid)).size).toBe(FLEET);
  expect(Math.max(...sizes)).toBeLessThanOrEqual(LIMIT);

  // A pull-down refresh after all that starts over with one page, not 10,000 rows.
  const all = cardsStore.rows;
  await cardsStore.refresh();
  const restart = rowPatches(all, cardsStore.rows, new Set());
  expect(restart).toHaveLength(1);
  expect(Object.keys(restart[0])).toEqual(['list']);
  expect((restart[0].list as unknown[]).length).toBe(20);
  expect(JSON.stringify(restart[0]).length).toBeLessThanOrEqual(LIMIT);
}, 120_000);
