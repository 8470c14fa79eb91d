/**
 * Mixed clusters of Apache Kafka 1.1 and kts brokers on one ZooKeeper, for issue 13's tests:
 * a broker id is played by either side on the same log dir (a migration step is stop one,
 * start the other), the cluster's view comes from ZooKeeper (what both controllers write),
 * and Kafka's DumpLogSegments and `kts dump-log` are run on the same segment files.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KafkaZkClient } from '../../src/zk/index.js';
import { silentLogger } from '../../src/util/logger.js';
import { waitForDespiteErrors } from './cluster-checks.js';
import { freePort, kafka11Env, kafka11Home, startKafka11 } from './kafka11.js';
import { startBrokerProcess } from './kts-cluster.js';
import { KTS_BIN } from './run-kts.js';

const run = promisify(execFile);

interface Teardown {
  teardown(fn: () => unknown): void;
}

export type Side = 'kafka' | 'kts';

export interface MixedBroker {
  id: number;
  side: Side;
  logDir: string;
  bootstrap: string;
  /** SIGKILL, waits for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (controlled shutdown), waits for the exit. */
  stop(): Promise<void>;
  /** The broker's process (the JVM for Kafka), for SIGSTOP / SIGCONT. */
  pid: number;
  /** What the kts broker printed (empty for Kafka, whose log is in its log dir's logs). */
  output(): string;
}

export interface MixedCluster {
  zk: KafkaZkClient;
  zkConnect: string;
  brokers: Map<number, MixedBroker>;
  /** Every running broker's address. */
  bootstrap(): string;
  /** Starts broker `id` as `side` on `logDir` (default: the dir it had, else a fresh one). */
  start(id: number, side: Side, logDir?: string): Promise<MixedBroker>;
  /** The broker holding /controller (waits for one). */
  controller(): Promise<number>;
  /**
   * Moves the controller to broker `id`: the other brokers are paused (SIGSTOP, shorter than
   * their ZooKeeper session) while /controller is deleted, so only `id` can win the election;
   * returns how many elections it took.
   */
  moveControllerTo(id: number, maxElections?: number): Promise<number>;
  /** leader / leader epoch / isr of each partition, from ZooKeeper. */
  partitionStates(topic: string, partitions: number): Promise<Map<number, { leader: number; leaderEpoch: number; isr: number[] }>>;
  /** Waits until every partition's ISR holds all `replicas` brokers. */
  waitFullIsr(topic: string, partitions: number, replicas: number[], timeoutMs?: number): Promise<void>;
  /** Asks the controller for a preferred-replica election of every partition and waits for `leaders`. */
  electPreferred(topic: string, leaders: number[], timeoutMs?: number): Promise<void>;
}

/**
 * Settings for both sides of a cluster whose every broker may be the only one alive: Kafka 1.1's
 * inter-broker protocol, and internal topics of one partition on one replica, so a lone broker
 * can be group and transaction coordinator.
 */
export const ONE_BROKER_TXN_PROPERTIES: Readonly<Record<string, string>> = {
  'inter.broker.protocol.version': '1.1',
  'offsets.topic.num.partitions': '1',
  'offsets.topic.replication.factor': '1',
  'transaction.state.log.num.partitions': '1',
  'transaction.state.log.replication.factor': '1',
  'transaction.state.log.min.isr': '1',
};

/**
 * `properties` go to every broker of both sides (keys both understand). Kafka brokers get
 * 256 MB heaps; kts brokers run the built binary.
 */
export async function mixedCluster(t: Teardown, zkConnect: string, properties: Record<string, string>): Promise<MixedCluster> {
  const zk = await KafkaZkClient.connect({ connect: zkConnect, sessionTimeoutMs: 10_000, connectionTimeoutMs: 10_000, log: silentLogger });
  t.teardown(() => zk.close());
  const brokers = new Map<number, MixedBroker>();
  const dirs = new Map<number, string>();
  // A broker id keeps its host:port whichever side plays it, as in a real migration.
  const ports = new Map<number, number>();
  const cluster: MixedCluster = {
    zk,
    zkConnect,
    brokers,
    bootstrap: () => [...brokers.values()].map((b) => b.bootstrap).join(','),
    async start(id, side, logDir) {
      let dir = logDir ?? dirs.get(id);
      if (!dir) {
        dir = mkdtempSync(join(tmpdir(), `kts-mixed-${id}-`));
        const made = dir;
        t.teardown(() => rmSync(made, { recursive: true, force: true }));
      }
      dirs.set(id, dir);
      const port = ports.get(id) ?? (await freePort());
      ports.set(id, port);
      let b: MixedBroker;
      if (side === 'kafka') {
        const k = await startKafka11(t, { brokerId: id, zookeeperConnect: zkConnect, logDirs: dir, properties: { ...properties, listeners: `PLAINTEXT://127.0.0.1:${port}` } });
        b = { id, side, logDir: dir, bootstrap: k.bootstrap, kill: k.kill, stop: k.stop, pid: k.pid, output: () => '' };
      } else {
        // On a starved machine a starting kts broker can lose its first ZooKeeper session and
        // exit (a known startup limit, see the report of issue 13): one more try then.
        const k = await startBrokerProcess(t, id, dir, zkConnect, properties, port).catch((err: Error) => {
          if (!/ZooKeeper session/.test(err.message)) throw err;
          return startBrokerProcess(t, id, dir, zkConnect, properties, port);
        });
        b = { id, side, logDir: dir, bootstrap: k.bootstrap, kill: k.kill, stop: async () => void (await k.stop()), pid: k.child.pid ?? -1, output: k.output };
      }
      brokers.set(id, b);
      return b;
    },
    controller: () => waitForDespiteErrors('a controller', async () => await zk.getControllerId(), 60_000),
    async moveControllerTo(id, maxElections = 5) {
      for (let n = 1; n <= maxElections; n++) {
        const current = await cluster.controller();
        if (current === id) return n - 1;
        const others = [...brokers.values()].filter((b) => b.id !== id);
        for (const b of others) process.kill(b.pid, 'SIGSTOP');
        try {
          await zk.zk.delete('/controller');
          // Well within the paused brokers' ZooKeeper sessions (6 s in these tests).
          await waitForDespiteErrors(`broker ${id} to take /controller`, async () => (await zk.getControllerId()) === id, 2500).catch(() => undefined);
        } finally {
          for (const b of others) process.kill(b.pid, 'SIGCONT');
        }
      }
      throw new Error(`broker ${id} did not win the controller election in ${maxElections} tries`);
    },
    async partitionStates(topic, partitions) {
      const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }));
      const states = await zk.getPartitionStates(tps);
      return new Map(tps.map((tp) => {
        const s = states.get(`${topic}-${tp.partition}`);
        return [tp.partition, { leader: s?.state.leader ?? -1, leaderEpoch: s?.state.leaderEpoch ?? -1, isr: s?.state.isr ?? [] }];
      }));
    },
    async waitFullIsr(topic, partitions, replicas, timeoutMs = 120_000) {
      await waitForDespiteErrors(`every ${topic} partition's ISR to hold ${replicas.join(',')}`, async () => {
        const states = await cluster.partitionStates(topic, partitions);
        return [...states.values()].every((s) => replicas.every((r) => s.isr.includes(r)));
      }, timeoutMs);
    },
    async electPreferred(topic, leaders, timeoutMs = 90_000) {
      await waitForDespiteErrors(`preferred leaders ${leaders.join(',')} of ${topic}`, async () => {
        const states = await cluster.partitionStates(topic, leaders.length);
        if (leaders.every((l, p) => states.get(p)?.leader === l)) return true;
        // One election request at a time: the controller deletes the znode when it is done.
        if ((await zk.getPreferredReplicaElection()).length === 0) {
          await zk.createPreferredReplicaElection(leaders.map((_, partition) => ({ topic, partition })));
        }
        return false;
      }, timeoutMs);
    },
  };
  return cluster;
}

/** One batch as both tools print it. */
export interface DumpedBatch {
  baseOffset: number;
  lastOffset: number;
  /** Kafka 1.1 does not print a batch's record count: it is counted from its records. */
  count: number;
  baseSequence: string;
  producerId: string;
  producerEpoch: string;
  isTransactional: string;
  crc: string;
  /** `offset payload` of each record in the batch. */
  records: string[];
}

interface Dumped {
  batches: Array<Omit<DumpedBatch, 'records' | 'count'> & { count?: number }>;
  records: Array<{ offset: number; payload: string }>;
}

/**
 * File path → batch lines and record lines of DumpLogSegments' text format. Kafka 1.1 prints
 * batches without --deep-iteration and only records with it (`offset: N position: ...`);
 * kts (like later Kafka) prints each batch followed by its records (`| offset: N ...`).
 */
function parseDumpText(text: string, into = new Map<string, Dumped>()): Map<string, Dumped> {
  let file: Dumped | undefined;
  for (const line of text.split('\n')) {
    const dumping = /^Dumping (.+)$/.exec(line);
    if (dumping) {
      const path = dumping[1]!.trim();
      file = into.get(path) ?? { batches: [], records: [] };
      into.set(path, file);
    } else if (!file) {
      continue;
    } else if (line.startsWith('baseOffset:')) {
      const f = new Map([...line.matchAll(/(\w+): (\S+)/g)].map((m) => [m[1]!, m[2]!]));
      const field = (k: string): string => f.get(k) ?? '?';
      file.batches.push({
        baseOffset: Number(field('baseOffset')),
        lastOffset: Number(field('lastOffset')),
        ...(f.has('count') ? { count: Number(field('count')) } : {}),
        baseSequence: field('baseSequence'),
        producerId: field('producerId'),
        producerEpoch: field('producerEpoch'),
        isTransactional: field('isTransactional'),
        crc: field('crc'),
      });
    } else {
      const record = /^(?:\| )?offset: (\d+) .*?(?: payload: (.*))?$/.exec(line);
      if (record) file.records.push({ offset: Number(record[1]), payload: record[2] ?? '' });
    }
  }
  return into;
}

/** Each batch with the records whose offsets it spans. */
function batchesOf(d: Dumped): DumpedBatch[] {
  const records = [...d.records].sort((a, b) => a.offset - b.offset);
  let i = 0;
  return d.batches.map((b) => {
    const mine: string[] = [];
    while (i < records.length && records[i]!.offset <= b.lastOffset) {
      if (records[i]!.offset >= b.baseOffset) mine.push(`${records[i]!.offset} ${records[i]!.payload}`);
      i++;
    }
    // A fixed key order: dumps are compared as JSON.
    const { baseOffset, lastOffset, baseSequence, producerId, producerEpoch, isTransactional, crc } = b;
    return { baseOffset, lastOffset, count: b.count ?? mine.length, baseSequence, producerId, producerEpoch, isTransactional, crc, records: mine };
  });
}

export function parseDump(...texts: string[]): Map<string, DumpedBatch[]> {
  const files = new Map<string, Dumped>();
  for (const text of texts) parseDumpText(text, files);
  return new Map([...files].map(([path, d]) => [path, batchesOf(d)]));
}

/** The index and both versions of the first batch where two dumps differ (undefined: none). */
export function firstDifference(a: DumpedBatch[], b: DumpedBatch[]): string | undefined {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [JSON.stringify(a[i] ?? null), JSON.stringify(b[i] ?? null)];
    if (x !== y) return `batch ${i}: ${x} vs ${y}`;
  }
  return undefined;
}

/** The .log segments of a partition replica, in offset order. */
export function segmentFiles(logDir: string, topic: string, partition: number): string[] {
  const dir = join(logDir, `${topic}-${partition}`);
  return readdirSync(dir).filter((f) => /^\d{20}\.log$/.test(f)).sort().map((f) => join(dir, f));
}

/** Runs one of Kafka 1.1's bin/ scripts (Java 17 settings, its log4j files in a temp dir). */
export async function kafka11Tool(script: string, args: string[]): Promise<string> {
  const logs = mkdtempSync(join(tmpdir(), 'kts-kafka11-tool-'));
  try {
    const { stdout } = await run(join(kafka11Home(), 'bin', script), args, { env: kafka11Env(logs, 128), maxBuffer: 256 * 1024 * 1024 });
    return stdout;
  } finally {
    rmSync(logs, { recursive: true, force: true });
  }
}

/** Kafka 1.1's DumpLogSegments on `files`: once for the batches, once with --print-data-log for the records. */
export async function kafkaDumpLog(files: string[]): Promise<Map<string, DumpedBatch[]>> {
  const dump = (deep: string[]) => kafka11Tool('kafka-run-class.sh', ['kafka.tools.DumpLogSegments', ...deep, '--files', files.join(',')]);
  return parseDump(await dump([]), await dump(['--print-data-log']));
}

/** `kts dump-log --print-data-log` on `files`. */
export async function ktsDumpLog(files: string[]): Promise<Map<string, DumpedBatch[]>> {
  const { stdout } = await run(process.execPath, [KTS_BIN, 'dump-log', '--print-data-log', '--files', files.join(',')], { maxBuffer: 256 * 1024 * 1024 });
  return parseDump(stdout);
}

/** A running Kafka 1.1 Java producer (kafka-verifiable-producer.sh) and what it was told. */
export interface JavaProducer {
  /** Every record the brokers acknowledged: partition, offset, value. */
  acks: Array<{ partition: number; offset: number; value: string }>;
  /** producer_send_error lines (records not acknowledged). */
  errors: string[];
  /** SIGTERM (the tool closes its producer, flushing what is in flight) and wait for the exit. */
  stop(): Promise<void>;
  /** `running`, or how it exited and the end of its stderr (for failure messages). */
  status(): string;
}

/**
 * Kafka 1.1's own Java client as a load: kafka-verifiable-producer.sh prints one JSON line per
 * acknowledged (or failed) record. `config` goes to its --producer.config file.
 */
export function startJavaProducer(t: Teardown, bootstrap: string, topic: string, throughput: number, config: Record<string, string>): JavaProducer {
  const dir = mkdtempSync(join(tmpdir(), 'kts-java-producer-'));
  const configFile = join(dir, 'producer.properties');
  writeFileSync(configFile, Object.entries(config).map(([k, v]) => `${k}=${v}`).join('\n') + '\n');
  const child = spawn(join(kafka11Home(), 'bin', 'kafka-verifiable-producer.sh'), ['--topic', topic, '--broker-list', bootstrap, '--throughput', String(throughput), '--acks', '-1', '--value-prefix', '1', '--producer.config', configFile], { env: kafka11Env(dir, 128), stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const producer: JavaProducer = {
    acks: [],
    errors: [],
    stop: async () => undefined,
    status: () => (child.exitCode === null && child.signalCode === null ? 'running' : `exited (${child.exitCode ?? child.signalCode}): ${stderr.trim()}`),
  };
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const lines = (rest + chunk.toString()).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const e = JSON.parse(line) as { name: string; partition?: number; offset?: number; value?: string; exception?: string; message?: string };
      if (e.name === 'producer_send_success') producer.acks.push({ partition: e.partition!, offset: e.offset!, value: e.value! });
      else if (e.name === 'producer_send_error') producer.errors.push(`${e.exception ?? ''} ${e.message ?? ''}`.trim());
    }
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  producer.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  });
  return producer;
}
