import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runKts, runKtsProcess, splitArgs } from '../helpers/run-kts.js';
import { KTS_VERSION } from '../../src/util/version.js';

t.test('version matches package.json', async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  t.equal(KTS_VERSION, pkg.version);
  const r = await runKts('version --json');
  t.equal(r.code, 0);
  t.same(JSON.parse(r.stdout), { version: pkg.version });
});

t.test('unknown command and unknown flag exit 2 with a message', async (t) => {
  const a = await runKts('no-such-command');
  t.equal(a.code, 2);
  t.match(a.stderr, /Unknown argument: no-such-command/);
  const b = await runKts('version --nope');
  t.equal(b.code, 2);
  t.match(b.stderr, /Unknown argument: nope/);
});

t.test('--help lists commands and exits 0', async (t) => {
  const r = await runKts('--help');
  t.equal(r.code, 0);
  t.match(r.stdout, /kts version/);
});

t.test('the built binary runs as a subprocess', async (t) => {
  const r = await runKtsProcess('version');
  t.equal(r.code, 0);
  t.equal(r.stdout.trim(), KTS_VERSION);
});

t.test("the quick start's `npm link`: package.json's bin names kts, and a symlink to it on PATH runs as bare `kts`", async (t) => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { bin?: Record<string, string> };
  t.equal(pkg.bin?.kts, 'bin/kts.js');
  // npm link puts exactly this in npm's global bin: a symlink to the package's bin file.
  const binDir = mkdtempSync(join(tmpdir(), 'kts-path-'));
  t.teardown(() => rmSync(binDir, { recursive: true, force: true }));
  symlinkSync(fileURLToPath(new URL('../../bin/kts.js', import.meta.url)), join(binDir, 'kts'));
  const r = spawnSync('kts', ['version'], { env: { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ''}` }, encoding: 'utf8' });
  t.equal(r.status, 0, r.stderr);
  t.equal(r.stdout.trim(), KTS_VERSION);
});

t.test('splitArgs groups quoted words', async (t) => {
  t.same(splitArgs(`a "b c" 'd e' f=g"h i"`), ['a', 'b c', 'd e', 'f=gh i']);
});

t.test("Kafka's single-dash -daemon is read as --daemon, and nothing after -- is touched", async (t) => {
  const { normalizeArgv } = await import('../../src/cli/main.js');
  t.same(normalizeArgv(['server-start', '-daemon', 'a.properties']), ['server-start', '--daemon', 'a.properties']);
  t.same(normalizeArgv(['x', '--', '-daemon']), ['x', '--', '-daemon']);
});
