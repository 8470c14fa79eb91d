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

/** What a waiting test polls: `undefined` or `false` means "not yet", anything else is the answer. */
export type Probe<T> = () => Promise<T | undefined | false> | T | undefined | false;

/** Polls `probe` every 200 ms until it answers; a probe that throws fails the wait at once. */
export function waitFor<T>(what: string, probe: Probe<T>, timeoutMs = 90_000): Promise<T> {
  return poll(what, probe, timeoutMs, false);
}

/**
 * waitFor for probes that may throw while the cluster is changing (a broker restarting, a
 * leader moving): a throw counts as "not yet", and the last one is named if the wait times out.
 */
export function waitForDespiteErrors<T>(what: string, probe: Probe<T>, timeoutMs = 90_000): Promise<T> {
  return poll(what, probe, timeoutMs, true);
}

async function poll<T>(what: string, probe: Probe<T>, timeoutMs: number, errorsMeanNotYet: boolean): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      if (!errorsMeanNotYet) throw err;
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError === undefined ? '' : `: ${String(lastError)}`}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The bytes of all of a partition replica's segments, in offset order. */
export function replicaBytes(logDir: string, topic: string, partition: number): Buffer {
  const dir = join(logDir, `${topic}-${partition}`);
  const segments = readdirSync(dir).filter((f) => /^\d{20}\.log$/.test(f)).sort();
  return Buffer.concat(segments.map((f) => readFileSync(join(dir, f))));
}
