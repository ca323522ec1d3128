// The CI secret scan (scripts/secret-scan.ts): the real mini-program and freshly built function bundles pass;
// a temporary copy with a secret planted in it — a dev value, a configured secret's value, a secret-named
// literal — fails, naming the file and line and never printing a configured secret.
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildFunctions } from '../../scripts/build';
import { defaultTargets, scanSecrets, type ScanReport } from '../../scripts/secret-scan';
import { ROOT } from '../helpers/process';
import { tempDir } from '../helpers/tmp';

jest.setTimeout(120_000);

const tmp = tempDir('fleet-secret-scan-');
const CLEAN_ENV = { PLATFORM_CLIENT_SECRET: '', PLATFORM_SUBSCRIPTION_KEY: '', PAY_NOTIFY_SECRET: '' };
/** A configured secret: looked for by value, never printed. */
const CONFIGURED = 'prod-notify-9f8e7d6c5b4a';

let copies = 0;
/** A copy of what CI scans (mini-program sources without miniprogram_npm, built bundles) in a temp folder. */
function copyTree(): string {
  const root = join(tmp.dir, `tree-${++copies}`);
  cpSync(join(ROOT, 'miniprogram'), join(root, 'miniprogram'), {
    recursive: true,
    filter: (src) => !src.includes('miniprogram_npm'),
  });
  cpSync(join(tmp.dir, 'bundles'), join(root, 'build', 'cloudfunctions'), { recursive: true });
  return root;
}

function scan(root: string, env: NodeJS.ProcessEnv = CLEAN_ENV): ScanReport {
  return scanSecrets(defaultTargets(root), env, root);
}

function cli(root: string, env: Record<string, string> = CLEAN_ENV) {
  return spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/secret-scan.ts', '--root', root], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

beforeAll(async () => {
  await buildFunctions(join(tmp.dir, 'bundles'));
});
afterAll(() => tmp.remove());

test('the real mini-program and freshly built bundles hold no secret', () => {
  const report = scanSecrets(
    [defaultTargets(ROOT)[0], { dir: join(tmp.dir, 'bundles'), literals: false, required: true }],
    CLEAN_ENV,
    ROOT,
  );
  expect(report.findings).toEqual([]);
  expect(report.missing).toEqual([]);
  // Both were read: the mini-program's sources and one bundle per function.
  expect(report.files).toBeGreaterThan(20);
});

test('a clean copy passes, through the CLI as CI runs it', () => {
  const root = copyTree();
  expect(scan(root).findings).toEqual([]);
  const run = cli(root);
  expect(run.status).toBe(0);
  expect(run.stdout).toMatch(/没有发现密钥/);
});

test('each kind of planted secret is caught, with its file and line', () => {
  const root = copyTree();
  const mp = join(root, 'miniprogram');
  writeFileSync(join(mp, 'planted.ts'), "// a helper\nexport const platform = { clientSecret: 'live-abc-123' };\n");
  writeFileSync(join(mp, 'planted.json'), '{\n  "name": "x",\n  "subscription_key": "k-7d6c5b4a"\n}\n');
  writeFileSync(join(mp, 'planted.wxml'), '<view>\n<text>dev-notify-secret</text>\n</view>\n');
  appendFileSync(join(mp, 'app.ts'), '\nconst notifySecret = `n-0123456789`;\nvoid notifySecret;\n');
  writeFileSync(join(root, 'build', 'cloudfunctions', 'pay', 'leak.js'), `module.exports = "${CONFIGURED}";\n`);
  mkdirSync(join(root, 'preview', 'out', 'html'), { recursive: true });
  writeFileSync(join(root, 'preview', 'out', 'html', 'cards-manager.html'), '<p>dev-secret</p>');
  // Not scanned: the copied npm packages, and names that hold no literal.
  mkdirSync(join(mp, 'miniprogram_npm', 'pkg'), { recursive: true });
  writeFileSync(join(mp, 'miniprogram_npm', 'pkg', 'index.js'), 'var clientSecret = "in-a-package-1";');
  writeFileSync(join(mp, 'typed.ts'), "export let clientSecret: string;\nexport const appSecret = '';\n");

  const report = scan(root, { ...CLEAN_ENV, PAY_NOTIFY_SECRET: CONFIGURED });
  const found = report.findings.map((f) => `${f.file}:${f.line} ${f.what}`).sort();
  expect(found).toEqual([
    expect.stringMatching(/^build\/cloudfunctions\/pay\/leak\.js:1 .*PAY_NOTIFY_SECRET/),
    expect.stringMatching(/^miniprogram\/app\.ts:\d+ .*notifySecret/),
    expect.stringMatching(/^miniprogram\/planted\.json:3 .*subscription_key/),
    expect.stringMatching(/^miniprogram\/planted\.ts:2 .*clientSecret/),
    expect.stringMatching(/^miniprogram\/planted\.wxml:2 .*dev-notify-secret/),
    expect.stringMatching(/^preview\/out\/html\/cards-manager\.html:1 .*dev-secret/),
  ]);

  const run = cli(root, { ...CLEAN_ENV, PAY_NOTIFY_SECRET: CONFIGURED });
  expect(run.status).toBe(1);
  expect(run.stderr).toMatch(/planted\.ts:2/);
  expect(run.stderr).toMatch(/发现 6 处密钥/);
  expect(`${run.stdout}${run.stderr}`).not.toContain(CONFIGURED);
});

test('a build that was never made fails the scan instead of passing it', () => {
  const root = copyTree();
  rmSync(join(root, 'build'), { recursive: true, force: true });
  const run = cli(root);
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/build\/cloudfunctions.*npm run build/);
});
