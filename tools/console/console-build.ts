import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The web console's production build (apps/console/dist, served by the gateway at /), made when it
 * is missing or its inputs changed: the console's sources and the typed client's. The inputs'
 * hash is kept beside the build, so an up-to-date console costs one hash and no build.
 */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CONSOLE_DIR = join(ROOT, 'apps', 'console');
export const CONSOLE_DIST = join(CONSOLE_DIR, 'dist');
const STAMP = '.build-inputs';
const INPUTS = ['apps/console/index.html', 'apps/console/vite.config.ts', 'apps/console/package.json', 'apps/console/src', 'libs/client/src', 'libs/client/package.json'];

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .sort()
    .flatMap((name) => (name.endsWith('.test.ts') ? [] : filesUnder(join(path, name))));
}

/** The hash of everything the build reads (file names and contents). */
export function consoleInputsHash(): string {
  const hash = createHash('sha256');
  for (const file of INPUTS.flatMap((input) => filesUnder(join(ROOT, input)))) {
    hash.update(relative(ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function consoleBuildIsCurrent(): boolean {
  const stamp = join(CONSOLE_DIST, STAMP);
  return existsSync(join(CONSOLE_DIST, 'index.html')) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === consoleInputsHash();
}

/**
 * Build the console unless its build is current. The build goes to a fresh directory first and
 * replaces dist/ when complete, so a gateway never serves half a build.
 */
export async function ensureConsoleBuild(options: { log?: (message: string) => void } = {}): Promise<'current' | 'built'> {
  if (consoleBuildIsCurrent()) return 'current';
  const inputs = consoleInputsHash();
  const started = Date.now();
  const staging = join(CONSOLE_DIR, `.dist-${process.pid}-${Date.now()}`);
  const vite = join(createRequire(join(CONSOLE_DIR, 'package.json')).resolve('vite/package.json'), '..', 'bin', 'vite.js');
  const output: Buffer[] = [];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, [vite, 'build', '--outDir', staging, '--emptyOutDir', '--logLevel', 'warn'], {
      cwd: CONSOLE_DIR,
      // A parent's NODE_ENV (test under vitest, development) would give React's development build.
      env: { ...process.env, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk));
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`The console build failed (vite exited with ${code}):\n${Buffer.concat(output).toString('utf8')}`);
  }
  writeFileSync(join(staging, STAMP), `${inputs}\n`);
  rmSync(CONSOLE_DIST, { recursive: true, force: true });
  renameSync(staging, CONSOLE_DIST);
  options.log?.(`console built into apps/console/dist in ${Date.now() - started} ms`);
  return 'built';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await ensureConsoleBuild({ log: console.log });
  if (result === 'current') console.log('apps/console/dist is current.');
}
