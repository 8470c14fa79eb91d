import t from 'tap';
import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { commands } from '../../src/cli/registry.js';
import { generateDocs, undocumentedOptions } from '../../src/cli/util/docs.js';
import { KTS_VERSION } from '../../src/util/version.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const files = generateDocs(commands, KTS_VERSION);

t.test('every command and flag has a description', async (t) => {
  t.same(undocumentedOptions(commands), []);
});

t.test('generated man pages and completions are up to date (run `npm run docs`)', async (t) => {
  for (const [path, text] of files) {
    const full = join(root, path);
    t.ok(existsSync(full), `${path} exists`);
    if (existsSync(full)) t.ok(readFileSync(full, 'utf8') === text, `${path} is current`);
  }
  const pages = readdirSync(join(root, 'man')).map((f) => `man/${f}`);
  t.same(pages.filter((p) => !files.has(p)), [], 'no man page for a removed command');
});

t.test('every command has a man page and appears in each completion', async (t) => {
  for (const c of commands) {
    t.ok(files.has(`man/kts-${c.name}.1`), c.name);
    for (const sh of ['bash', 'zsh', 'fish']) t.match(files.get(`completions/kts.${sh}`)!, c.name);
    for (const flag of Object.keys(c.options)) t.match(files.get(`man/kts-${c.name}.1`)!, flag.replace(/-/g, '\\-'), `${c.name} --${flag} in man page`);
  }
});

const shells: [string, string[], string][] = [
  ['bash', ['-n'], 'completions/kts.bash'],
  ['zsh', ['-n'], 'completions/kts.zsh'],
  ['fish', ['--no-execute'], 'completions/kts.fish'],
];
for (const [shell, flags, path] of shells) {
  const has = spawnSync('sh', ['-c', `command -v ${shell}`]).status === 0;
  t.test(`${path} parses in ${shell}`, { skip: has ? false : `${shell} not installed` }, async (t) => {
    const r = spawnSync(shell, [...flags, join(root, path)], { encoding: 'utf8' });
    t.equal(r.status, 0, r.stderr);
  });
}

t.test('bash completion offers subcommands, flags and choices', { skip: spawnSync('sh', ['-c', 'command -v bash']).status !== 0 }, async (t) => {
  const script = `source ${join(root, 'completions/kts.bash')}
COMP_WORDS=(kts top); COMP_CWORD=1; _kts; echo "\${COMPREPLY[*]}"
COMP_WORDS=(kts topics --if-); COMP_CWORD=2; _kts; echo "\${COMPREPLY[*]}"
COMP_WORDS=(kts console-consumer --isolation-level ""); COMP_CWORD=3; _kts; echo "\${COMPREPLY[*]}"`;
  const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
  t.same(r.stdout.trim().split('\n'), ['topics', '--if-exists --if-not-exists', 'read_uncommitted read_committed']);
});

t.test('man pages render without roff warnings', { skip: spawnSync('sh', ['-c', 'command -v groff']).status !== 0 ? 'groff not installed' : false }, async (t) => {
  const r = spawnSync('groff', ['-man', '-Tutf8', '-ww', '-z', join(root, 'man/kts-console-consumer.1')], { encoding: 'utf8' });
  t.equal(r.stderr, '');
});
