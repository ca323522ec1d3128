// `npm run secret-scan` (CI runs it after `npm run build`): fails when the mini-program's sources or any build
// output hold a client secret, a subscription key or the payment-notify secret. What it looks for:
//   - the dev values (dev-secret, dev-subscription-key, dev-notify-secret), wherever they appear;
//   - the value of PLATFORM_CLIENT_SECRET, PLATFORM_SUBSCRIPTION_KEY and PAY_NOTIFY_SECRET, when set here;
//   - in the mini-program's own files, a name that says "secret" given a string literal
//     (clientSecret: '…', client_secret = "…", subscriptionKey, notifySecret, appSecret, …).
// Where: miniprogram/ (not miniprogram_npm/, the copied npm packages), build/cloudfunctions/ (the deployable
// bundles), preview/out/html/ (the rendered previews) when it exists. A secret's value is never printed.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

export const DEV_SECRETS: readonly string[] = ['dev-secret', 'dev-subscription-key', 'dev-notify-secret'];
export const SECRET_ENV: readonly string[] = [
  'PLATFORM_CLIENT_SECRET',
  'PLATFORM_SUBSCRIPTION_KEY',
  'PAY_NOTIFY_SECRET',
];
/** A configured value shorter than this is not looked for: it would match ordinary text. */
export const MIN_SECRET_LENGTH = 8;

/** A name that says it holds a secret, given a non-empty string literal (`name: '…'`, `"name" = "…"`). */
const SECRET_LITERAL =
  /(["']?)\b((?:client|app|notify)[-_]?secret|(?:ocp-apim-)?subscription[-_]?key)\1\s*[:=]\s*(["'`])((?:(?!\3)[^\\\n]|\\.)+)\3/gi;
/** Files of the mini-program where such an assignment is code or configuration. */
const SOURCE_FILE = /\.(ts|js|mjs|cjs|json|wxml|wxs)$/;

export interface ScanTarget {
  /** A folder to read every file of. */
  dir: string;
  /** Also look for secret-named literals (the mini-program's own sources). */
  literals: boolean;
  /** Folder names not to enter. */
  skip?: string[];
  /** A missing folder is an error (it should have been built) rather than nothing to scan. */
  required?: boolean;
}

export interface Finding {
  file: string;
  line: number;
  what: string;
}

export interface ScanReport {
  files: number;
  findings: Finding[];
  /** Required folders that do not exist. */
  missing: string[];
  /** Configured secrets too short to look for. */
  notes: string[];
}

export function defaultTargets(root: string): ScanTarget[] {
  return [
    { dir: join(root, 'miniprogram'), literals: true, skip: ['miniprogram_npm', 'node_modules'], required: true },
    { dir: join(root, 'build', 'cloudfunctions'), literals: false, required: true },
    { dir: join(root, 'preview', 'out', 'html'), literals: false },
  ];
}

/** The values to look for, each with what it is (never the value itself). */
export function secretValues(env: NodeJS.ProcessEnv): {
  values: Array<{ value: string; what: string }>;
  notes: string[];
} {
  const values = DEV_SECRETS.map((value) => ({ value, what: `开发密钥 ${value}` }));
  const notes: string[] = [];
  for (const name of SECRET_ENV) {
    const value = env[name];
    if (!value) continue;
    if (value.length < MIN_SECRET_LENGTH) {
      notes.push(`${name} 少于 ${MIN_SECRET_LENGTH} 个字符，未按其值扫描`);
      continue;
    }
    if (!values.some((v) => v.value === value)) values.push({ value, what: `环境变量 ${name} 的值` });
  }
  return { values, notes };
}

function* files(dir: string, skip: readonly string[]): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skip.includes(entry.name)) yield* files(path, skip);
    } else if (entry.isFile()) {
      yield path;
    }
  }
}

function lineAt(buffer: Buffer, offset: number): number {
  let line = 1;
  for (let i = buffer.indexOf(10); i !== -1 && i < offset; i = buffer.indexOf(10, i + 1)) line += 1;
  return line;
}

export function scanSecrets(
  targets: ScanTarget[],
  env: NodeJS.ProcessEnv = process.env,
  root = process.cwd(),
): ScanReport {
  const { values, notes } = secretValues(env);
  const report: ScanReport = { files: 0, findings: [], missing: [], notes };
  for (const target of targets) {
    if (!existsSync(target.dir) || !statSync(target.dir).isDirectory()) {
      if (target.required) report.missing.push(relative(root, target.dir) || target.dir);
      continue;
    }
    for (const path of files(target.dir, target.skip ?? [])) {
      report.files += 1;
      const file = relative(root, path);
      const bytes = readFileSync(path);
      for (const { value, what } of values) {
        const needle = Buffer.from(value, 'utf8');
        for (let at = bytes.indexOf(needle); at !== -1; at = bytes.indexOf(needle, at + needle.length)) {
          report.findings.push({ file, line: lineAt(bytes, at), what: `含有${what}` });
        }
      }
      if (target.literals && SOURCE_FILE.test(path)) {
        const text = bytes.toString('utf8');
        for (const match of text.matchAll(SECRET_LITERAL)) {
          report.findings.push({
            file,
            line: text.slice(0, match.index).split('\n').length,
            what: `名为 ${match[2]} 的字段被赋值为字符串字面量（密钥只能放在云函数的环境变量里）`,
          });
        }
      }
    }
  }
  return report;
}

function main(argv: string[]): number {
  const at = argv.indexOf('--root');
  const root = resolve(at >= 0 && argv[at + 1] ? argv[at + 1] : join(__dirname, '..'));
  const report = scanSecrets(defaultTargets(root), process.env, root);
  for (const note of report.notes) console.warn(`secret-scan: 注意：${note}`);
  if (report.missing.length) {
    console.error(`secret-scan: 缺少 ${report.missing.join('、')}：请先运行 npm run build，再扫描构建产物。`);
    return 2;
  }
  if (report.findings.length) {
    for (const f of report.findings) console.error(`${f.file}:${f.line}: ${f.what}`);
    console.error(`secret-scan: 在 ${report.files} 个文件里发现 ${report.findings.length} 处密钥，已中止。`);
    return 1;
  }
  console.log(`secret-scan: 已检查 ${report.files} 个文件（小程序源码与构建产物），没有发现密钥。`);
  return 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
