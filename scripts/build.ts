// `npm run build`: bundles each cloud function (its entry plus the shared library) with esbuild into
// build/cloudfunctions/<name>/, beside its package.json and config.json, ready to upload to CloudBase;
// and copies the mini-program's npm packages into miniprogram/miniprogram_npm (what 构建 npm does).
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { copyNpm } from './copy-npm';

const ROOT = join(__dirname, '..');
const SOURCE = join(ROOT, 'cloudfunctions');
export const OUT = join(ROOT, 'build', 'cloudfunctions');

export function functionNames(): string[] {
  return readdirSync(SOURCE).filter(
    (name) =>
      name !== 'shared' && statSync(join(SOURCE, name)).isDirectory() && existsSync(join(SOURCE, name, 'index.ts')),
  );
}

export async function buildFunctions(outDir = OUT): Promise<Array<{ name: string; bytes: number }>> {
  rmSync(outDir, { recursive: true, force: true });
  const built: Array<{ name: string; bytes: number }> = [];
  for (const name of functionNames()) {
    const dir = join(outDir, name);
    mkdirSync(dir, { recursive: true });
    await build({
      entryPoints: [join(SOURCE, name, 'index.ts')],
      outfile: join(dir, 'index.js'),
      bundle: true,
      platform: 'node',
      target: 'node16',
      format: 'cjs',
      // wx-server-sdk is installed by CloudBase from the function's package.json.
      external: ['wx-server-sdk'],
      minify: true,
      keepNames: true,
      sourcemap: false,
      legalComments: 'none',
      logLevel: 'warning',
    });
    for (const file of ['package.json', 'config.json']) copyFileSync(join(SOURCE, name, file), join(dir, file));
    built.push({ name, bytes: statSync(join(dir, 'index.js')).size });
  }
  return built;
}

if (require.main === module) {
  (async () => {
    const built = await buildFunctions();
    for (const { name, bytes } of built)
      console.log(`build/cloudfunctions/${name}/index.js  ${(bytes / 1024).toFixed(1)} KB`);
    console.log(`miniprogram/miniprogram_npm: ${copyNpm()} file(s) copied`);
  })().catch((error: unknown) => {
    console.error(`构建失败: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
