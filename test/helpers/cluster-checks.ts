/** Probes of a running kts cluster used by the cluster tests. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runKts } from './run-kts.js';

export interface DescribedPartition {
  partition: number;
  leader: number;
  /** null in the JSON when the partition has no leader; describeTopic maps it to -1. */
  replicas: number[];
  isr: number[];
}

/** `kts topics --describe --json` as partitions ([] when the command fails). */
export async function describeTopic(bootstrap: string, topic: string): Promise<DescribedPartition[]> {
  const r = await runKts(['topics', '--describe', '--topic', topic, '--bootstrap-server', bootstrap, '--json']);
  if (r.code !== 0) return [];
  try {
    const parsed = JSON.parse(r.stdout) as { topics?: Array<{ partitions: DescribedPartition[] }> } | Array<{ partitions: DescribedPartition[] }>;
    const topics = Array.isArray(parsed) ? parsed : (parsed.topics ?? []);
    // The JSON shows a partition without leader as leader null.
    return (topics[0]?.partitions ?? []).map((p) => ({ ...p, leader: p.leader ?? -1 }));
  } catch {
    return [];
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The bytes of all of a partition replica's segments, in offset order. */
export function replicaBytes(logDir: string, topic: string, partition: number): Buffer {
  const dir = join(logDir, `${topic}-${partition}`);
  const segments = readdirSync(dir).filter((f) => /^\d{20}\.log$/.test(f)).sort();
  return Buffer.concat(segments.map((f) => readFileSync(join(dir, f))));
}
