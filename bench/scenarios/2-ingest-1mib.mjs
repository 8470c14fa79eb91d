// Scenario 2: ingest in 1 MiB batches (kcat -P, 10,000-byte records, batch.size 1 MiB,
// acks=1) against dd's sequential write speed on the same disk (conv=fdatasync) measured in
// the same run. The data dir and the dd file live in the same temp dir.
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { ddSeconds, kts, linesFile, runOk, startBroker } from '../lib/proc.mjs';
import { fmt, met, ratio } from '../lib/results.mjs';

export const name = 'ingest 1 MiB batches';

export async function run(ctx) {
  const mib = ctx.quick ? 64 : 256;
  const recordSize = 10_000;
  const count = Math.floor((mib * 1048576) / recordSize);
  const file = linesFile(join(ctx.work, 'lines-10k.txt'), count, recordSize);
  const bytes = statSync(file).size;
  const ddS = await ddSeconds(join(ctx.work, 'dd-seq.out'), mib, { sync: true });
  const ddMBps = (mib * 1048576) / ddS / 1e6;
  const b = await startBroker(ctx.work, ['message.max.bytes=2097152']);
  try {
    await kts(['topics', '--create', '--topic', 'big', '--partitions', '1', '--bootstrap-server', b.bootstrap]);
    const r = await runOk(
      'kcat',
      ['-P', '-b', b.bootstrap, '-t', 'big', '-X', 'acks=1', '-X', 'linger.ms=50', '-X', 'batch.size=1048576', '-X', 'message.max.bytes=1100000'],
      { input: file, capture: false },
    );
    const mbps = bytes / (r.ms / 1000) / 1e6;
    ctx.log(`1 MiB batches: ${fmt(mbps, 1)} MB/s vs dd ${fmt(ddMBps, 1)} MB/s`);
    return [
      {
        scenario: `2 ingest 1 MiB batches (kcat -P, ${mib} MiB, acks=1)`,
        figure: `${fmt(mbps, 1)} MB/s`,
        reference: `dd bs=1M conv=fdatasync ${fmt(ddMBps, 1)} MB/s`,
        ratio: ratio(mbps, ddMBps),
        target: '≥ 35% of dd',
        met: met(mbps / ddMBps >= 0.35),
      },
    ];
  } finally {
    await b.stop();
  }
}
