// The .lock file is the only guard of a data dir outside Linux (no abstract socket there):
// processes that find a stale lock at the same moment must not both take it over, and a
// lock is never seen half-written.
import t from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LogDirLock } from '../../src/storage/log-dir-lock.js';
import { tempDir } from './helpers.js';

const TAKER = fileURLToPath(new URL('./fixtures/lock-taker.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function deadPid(): number {
  // A process that has exited: its pid is not alive (reuse within the test is unlikely and only makes the lock live).
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

t.test('several processes finding one stale lock: exactly one takes it over', async (t) => {
  t.setTimeout(120_000);
  for (let round = 0; round < 1; round++) {
    const dir = tempDir(t);
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: deadPid(), host: hostname(), command: 'crashed', startedAt: new Date().toISOString() }));
    const go = join(dir, 'go');
    const children: { child: ChildProcess; out: string }[] = [];
    for (let i = 0; i < 4; i++) {
      const child = spawn(process.execPath, ['--import', 'tsx', TAKER, dir, go], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      const entry = { child, out: '' };
      child.stdout!.on('data', (c: Buffer) => (entry.out += c.toString()));
      children.push(entry);
    }
    t.teardown(() => children.forEach((c) => c.child.kill('SIGKILL')));
    while (!children.every((c) => c.out.includes('READY'))) await new Promise((r) => setTimeout(r, 20));
    writeFileSync(go, '');
    while (!children.every((c) => /LOCKED|REFUSED/.test(c.out))) await new Promise((r) => setTimeout(r, 20));
    const winners = children.filter((c) => c.out.includes('LOCKED'));
    t.equal(winners.length, 1, `round ${round}: one owner (${children.map((c) => c.out.trim().split('\n').pop()).join(' | ')})`);
    const holder = JSON.parse(readFileSync(join(dir, '.lock'), 'utf8')) as { pid: number };
    t.equal(holder.pid, winners[0]?.child.pid, 'the lock names the owner');
    for (const c of children) c.child.kill('SIGKILL');
    t.same(readdirSync(dir).filter((f) => f.startsWith('.lock.')), [], 'no temporary lock files left behind');
  }
});

t.test('the lock is released by its holder only, and taken again', async (t) => {
  const dir = tempDir(t);
  const lock = LogDirLock.acquire(dir, 'first');
  t.throws(() => LogDirLock.acquire(dir, 'second'), /locked by process/);
  lock.release();
  LogDirLock.acquire(dir, 'third').release();
  t.same(readdirSync(dir), []);
});
