/**
 * dump-log's output pinned byte for byte on a committed corpus (test/inspect/golden/corpus,
 * built by helpers/dump-corpus.ts): every record-level line shape, in text and --json,
 * with each decoder. The expected files were produced by the string-building renderer
 * before the byte-level fast path replaced it, so any drift in the fast path shows here.
 * Each expected file holds the exit code, stdout and stderr; `<corpus>` stands for the
 * corpus's absolute path (Kafka's reports print absolute paths). After an intended change
 * of the output, KTS_UPDATE_GOLDEN=1 rewrites the expected files (review their diff).
 */
import t from 'tap';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runKts } from '../helpers/run-kts.js';
import { GOLDEN_RUNS } from './helpers/dump-corpus.js';

const GOLDEN = fileURLToPath(new URL('golden/', import.meta.url));
const CORPUS = `${GOLDEN}corpus`;
const FILES = [
  't-0/00000000000000000000.log',
  'legacy-0/00000000000000000000.log',
  'corrupt-0/00000000000000000000.log',
  '__consumer_offsets-0/00000000000000000000.log',
  '__transaction_state-0/00000000000000000000.log',
  '__cluster_metadata-0/00000000000000000004-0000000001.checkpoint',
];

for (const [name, args] of GOLDEN_RUNS) {
  t.test(`${name}: ${args.join(' ') || '(batches only)'}`, async (t) => {
    const r = await runKts(['dump-log', '--files', FILES.join(','), ...args], { cwd: CORPUS });
    const actual = `exit: ${r.code}\n--- stdout\n${r.stdout}--- stderr\n${r.stderr}`.split(CORPUS).join('<corpus>');
    if (process.env.KTS_UPDATE_GOLDEN === '1') writeFileSync(`${GOLDEN}${name}.txt`, actual);
    t.equal(actual, readFileSync(`${GOLDEN}${name}.txt`, 'utf8'));
  });
}
