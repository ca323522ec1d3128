// What WeChat DevTools' 构建 npm produces, offline: each mini-program dependency copied into
// miniprogram/miniprogram_npm/<name>/ — its `miniprogram` folder when package.json names one, else its
// main file as index.js. Files already up to date are left alone, so a second run is almost free.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..');
export const NPM_OUT = join(ROOT, 'miniprogram', 'miniprogram_npm');

/** The packages the mini-program requires at run time (package.json dependencies minus the backend's). */
export const MINIPROGRAM_PACKAGES = ['@vant/weapp', 'mobx-miniprogram', 'mobx-miniprogram-bindings', 'dayjs'];

interface PackageJson {
  main?: string;
  miniprogram?: string;
}

function copyIfChanged(from: string, to: string): number {
  const source = statSync(from);
  if (existsSync(to)) {
    const target = statSync(to);
    if (target.size === source.size && target.mtimeMs >= source.mtimeMs) return 0;
  }
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(from, to);
  return 1;
}

function copyTree(from: string, to: string): number {
  let copied = 0;
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    if (entry.isDirectory()) copied += copyTree(source, join(to, entry.name));
    else if (!entry.name.endsWith('.map')) copied += copyIfChanged(source, join(to, entry.name));
  }
  return copied;
}

/** Copies every mini-program package; returns how many files were (re)written. */
export function copyNpm(outDir = NPM_OUT, nodeModules = join(ROOT, 'node_modules')): number {
  let copied = 0;
  for (const name of MINIPROGRAM_PACKAGES) {
    const pkgDir = join(nodeModules, name);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as PackageJson;
    const target = join(outDir, name);
    if (pkg.miniprogram) copied += copyTree(join(pkgDir, pkg.miniprogram), target);
    else copied += copyIfChanged(join(pkgDir, pkg.main ?? 'index.js'), join(target, 'index.js'));
  }
  return copied;
}

if (require.main === module) {
  const copied = copyNpm();
  console.log(`miniprogram/miniprogram_npm: ${copied} file(s) copied`);
}
