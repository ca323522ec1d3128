// Renders every row of preview/gallery.ts against a seeded dev stack, as `npm run preview` shows it.
// With PREVIEW_OUT set (by scripts/preview.ts) each page is also written there as an HTML file.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GALLERY, OPENID, rowName } from '../../preview/gallery';
import { startTestStack, type TestStack } from '../helpers/stack';
import { renderComponent, renderPage } from './harness';
import { installPreviewRendering, pageHtml } from './preview-html';

installPreviewRendering();
const OUT = process.env.PREVIEW_OUT;

let stack: TestStack;
beforeAll(async () => {
  stack = await startTestStack();
  if (OUT) mkdirSync(OUT, { recursive: true });
});
afterAll(() => stack.stop());

test('every gallery row has its own name', () => {
  const names = GALLERY.map(rowName);
  expect(new Set(names).size).toBe(names.length);
});

test.each(GALLERY.map((row) => [rowName(row), row] as const))('%s', async (name, row) => {
  const openid = OPENID[row.role];
  const options = { ...row.options, ...((await row.setup?.(stack)) ?? {}) };
  const page = await renderPage(row.page, { openid, stack, options });
  await row.act?.(page, stack);
  await page.waitForText(row.shows);
  const tabBar = row.tabBar ? await renderComponent('custom-tab-bar/index', { openid, stack }) : undefined;
  if (tabBar) {
    tabBar.instance.setData({ selected: `/${page.route}` });
    await tabBar.settle();
  }
  const html = pageHtml(page, tabBar);
  expect(html).not.toMatch(/alicdn|\/\/at\./); // the icon font comes from the package, not a CDN
  expect(html).not.toMatch(/\d+rpx/);
  if (OUT) writeFileSync(join(OUT, `${name}.html`), html);
});
