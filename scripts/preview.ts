// `npm run preview`: every screen of preview/gallery.ts to preview/out/<name>.png, 375 px wide at device
// scale 2, offline. The gallery test renders each page with miniprogram-simulate against a seeded dev
// stack and writes it as HTML; Debian's Chromium (never a downloaded browser) takes the screenshots.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { GALLERY, rowName } from '../preview/gallery';
import { copyNpm } from './copy-npm';

const ROOT = join(__dirname, '..');
export const OUT = join(ROOT, 'preview', 'out');
const HTML = join(OUT, 'html');
const README_SHOTS = join(ROOT, 'docs', 'screenshots');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

function checkMachine(): void {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`没有找到 Chromium（${CHROMIUM}）。请先安装：apt-get install -y chromium fonts-noto-cjk`);
  }
  const cjk = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' });
  if (cjk.status === 0 && !cjk.stdout.trim()) {
    throw new Error('没有中文字体，截图里的中文会显示成方框。请先安装：apt-get install -y fonts-noto-cjk');
  }
}

/** Renders the gallery to HTML through jest (the same harness as the page tests). */
function renderHtml(): void {
  rmSync(HTML, { recursive: true, force: true });
  const jest = require.resolve('jest/bin/jest');
  const run = spawnSync(
    process.execPath,
    [jest, '--selectProjects', 'miniprogram', '--runTestsByPath', 'test/miniprogram/gallery.test.ts'],
    { cwd: ROOT, stdio: 'inherit', env: { ...process.env, PREVIEW_OUT: HTML } },
  );
  if (run.status !== 0) throw new Error('画廊页面渲染失败（见上面的 jest 输出）');
}

async function screenshot(names: string[]): Promise<void> {
  const profile = mkdtempSync(join(tmpdir(), 'fleet-preview-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 375, height: 667 },
    deviceScaleFactor: 2,
    offline: true,
  });
  try {
    // Offline: only the files written here load; anything else (a CDN font, an image URL) is refused.
    await context.route(/^(?!file:|data:)/, (route) => route.abort());
    const page = context.pages()[0] ?? (await context.newPage());
    for (const name of names) {
      await page.goto(pathToFileURL(join(HTML, `${name}.html`)).href);
      await page.evaluate('document.fonts.ready.then(() => true)');
      // A viewport as tall as the page, so fixed bars (the tab bar) sit at its bottom, not mid-page.
      const height = Number(await page.evaluate('document.documentElement.scrollHeight'));
      await page.setViewportSize({ width: 375, height: Math.max(667, Math.ceil(height)) });
      await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
      await page.setViewportSize({ width: 375, height: 667 });
      console.log(`preview/out/${name}.png`);
    }
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  checkMachine();
  copyNpm();
  renderHtml();
  const names = readdirSync(HTML)
    .filter((file) => file.endsWith('.html'))
    .map((file) => file.slice(0, -'.html'.length));
  await screenshot(names);
  mkdirSync(README_SHOTS, { recursive: true });
  for (const row of GALLERY.filter((r) => r.readme)) {
    copyFileSync(join(OUT, `${rowName(row)}.png`), join(README_SHOTS, `${rowName(row)}.png`));
    console.log(`docs/screenshots/${rowName(row)}.png`);
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`预览失败: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
