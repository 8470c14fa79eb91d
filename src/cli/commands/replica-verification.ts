/**
 * `kts replica-verification`: kafka-replica-verification.sh. Fetches the chosen topics from
 * every replica (a consumer Fetch sent to each broker, v11+ so followers answer) from the
 * same offsets, checks that the replicas hold the same batches below their high watermarks
 * (cli/replica/verify.ts), and reports the largest lag every --report-interval-ms. Runs
 * until Ctrl-C like Kafka's tool; `--once` (kts) stops when every partition is verified up
 * to the high watermarks seen at the start and prints the report line.
 */
import type { CommandSpec } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import type { Admin, OffsetSpec } from '../../client/index.js';
import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { KtsError, UsageError } from '../../util/errors.js';
import { kafkaDate, renderEvent, renderMaxLag, verifyPartition, type ReplicaData } from '../replica/verify.js';

export const replicaVerificationCommand: CommandSpec = {
  name: 'replica-verification',
  mirrors: 'kafka-replica-verification.sh',
  summary: 'Check that all replicas of topics hold the same data',
  description:
    'Validate that all replicas for a set of topics have the same data: every replica is fetched from the same offsets, batch by batch (last offset and CRC) up to its high watermark. Diverging offsets stop the tool (exit 1); a checksum mismatch is reported. Every --report-interval-ms it prints the max lag between the verified offset and the high watermark. With --json each line is one JSON document instead ({"time","event":"started"}, {"time","event":"offset-mismatch"|"checksum-mismatch","topic","partition",...}, {"time","event":"max-lag","maxLag","topic","partition","offset","partitions"}).',
  options: {
    'broker-list': { type: 'string', placeholder: '<host:port,...>', describe: 'Brokers to connect to (Kafka\'s name; the same as --bootstrap-server).' },
    ...connectionOptions,
    'fetch-size': { type: 'number', placeholder: '<bytes>', default: 1048576, describe: 'Bytes fetched per partition per request.' },
    'max-wait-ms': { type: 'number', placeholder: '<ms>', default: 1000, describe: 'Longest a fetch waits for data.' },
    'topics-include': { type: 'string', placeholder: '<regex>', default: '.*', describe: 'Topics to verify (a regular expression over whole names).' },
    'topic-white-list': { type: 'string', placeholder: '<regex>', describe: 'Older name of --topics-include.', deprecated: 'use --topics-include' },
    time: { type: 'number', placeholder: '<ts|-1|-2>', default: -1, describe: 'Where to start: a timestamp, -1 (latest) or -2 (earliest).' },
    'report-interval-ms': { type: 'number', placeholder: '<ms>', default: 30000, describe: 'How often the max lag is printed.' },
    once: { type: 'boolean', describe: 'kts: stop once everything up to the current high watermarks is verified, printing the report line (exit 1 if replicas diverge).' },
    ...jsonOption,
  },
  examples: [
    ['kts replica-verification --broker-list 127.0.0.1:9092 --topics-include orders --time -2', 'verify orders from the start, report every 30 s'],
    ['kts replica-verification --bootstrap-server 127.0.0.1:9092 --time -2 --once', 'one pass over every topic, then exit'],
    ['kts replica-verification --bootstrap-server 127.0.0.1:9092 --time -2 --once --json', 'the same as JSON lines: one document per report line'],
  ],
  async run(args, io) {
    const brokers = typeof args['broker-list'] === 'string' ? args['broker-list'] : args['bootstrap-server'];
    if (typeof brokers !== 'string') throw new UsageError('Missing required argument "[broker-list]"');
    const pattern = String(args['topic-white-list'] ?? args['topics-include'] ?? '.*');
    let include: RegExp;
    try {
      include = new RegExp(`^(?:${pattern})$`);
    } catch {
      throw new UsageError(`${pattern} is an invalid regex`);
    }
    const fetchSize = Number(args['fetch-size']);
    const maxWaitMs = Number(args['max-wait-ms']);
    const reportIntervalMs = Number(args['report-interval-ms']);
    for (const [name, v] of [['fetch-size', fetchSize], ['max-wait-ms', maxWaitMs], ['report-interval-ms', reportIntervalMs]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new UsageError(`--${name} must be a non-negative integer`);
    }
    return withClient({ ...args, 'bootstrap-server': brokers }, io, clientConfig(args, io), async (client) => {
      const admin = client.admin;
      const topics = (await admin.listTopics({ includeInternal: true })).filter((t) => include.test(t));
      if (topics.length === 0) {
        throw new KtsError('KTS_NO_TOPICS', 'No topics found. --topics-include if specified, is either filtering out all topics or there is no topic.');
      }
      const described = await admin.describeTopics(topics);
      const byBroker = new Map<number, { topic: string; partition: number }[]>();
      const replicasOf = new Map<string, number[]>();
      for (const d of described) {
        for (const p of d.partitions) {
          replicasOf.set(`${d.name}-${p.partition}`, p.replicas);
          for (const b of p.replicas) byBroker.set(b, [...(byBroker.get(b) ?? []), { topic: d.name, partition: p.partition }]);
        }
      }
      const offsets = await initialOffsets(admin, described.flatMap((d) => d.partitions.map((p) => ({ topic: d.name, partition: p.partition }))), Number(args.time));
      const json = args.json === true;
      const emit = (doc: Record<string, unknown>, text: string): void => {
        io.stdout.write(json ? JSON.stringify({ time: new Date().toISOString(), ...doc }) + '\n' : text);
      };
      emit({ event: 'started' }, `${kafkaDate(Date.now())}: verification process is started\n`);
      let stopped = false;
      void io.interrupted.then(() => {
        stopped = true;
      });
      let lastReportMs = Date.now();
      let targets: Map<string, number> | null = null;
      while (!stopped) {
        const fetched = new Map<string, ReplicaData[]>();
        await Promise.all([...byBroker].map(async ([brokerId, partitions]) => {
          const results = await admin.fetchFromReplica(brokerId, partitions.map((p) => ({ ...p, fetchOffset: offsets.get(`${p.topic}-${p.partition}`)! })), { partitionMaxBytes: fetchSize, maxWaitMs });
          for (const r of results) {
            const key = `${r.topic}-${r.partition}`;
            // A replica that answers with an error (down, not yet created) holds nothing this round.
            const data = r.errorCode === ErrorCode.NONE ? r : { ...r, highWatermark: -1, records: Buffer.alloc(0) };
            fetched.set(key, [...(fetched.get(key) ?? []), { brokerId, highWatermark: data.highWatermark, records: data.records }]);
          }
        }));
        let maxLag = -1;
        let maxLagTp: string | null = null;
        let offsetWithMaxLag = -1;
        for (const [tp, replicas] of [...fetched].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
          const result = verifyPartition(offsets.get(tp)!, replicas);
          for (const e of result.events) {
            const { kind, ...fields } = e;
            emit({ event: kind, ...splitTp(tp), ...fields }, renderEvent(kafkaDate(Date.now()), tp, e));
          }
          if (result.diverged) return 1;
          offsets.set(tp, result.nextOffset);
          if (result.maxHighWatermark - result.nextOffset > maxLag) {
            maxLag = result.maxHighWatermark - result.nextOffset;
            maxLagTp = tp;
            offsetWithMaxLag = result.nextOffset;
          }
          if (targets !== null && !targets.has(tp)) targets.set(tp, result.maxHighWatermark);
        }
        targets ??= new Map([...fetched].map(([tp, rs]) => [tp, Math.max(-1, ...rs.map((r) => r.highWatermark))]));
        const now = Date.now();
        const done = args.once === true && [...targets].every(([tp, hw]) => (offsets.get(tp) ?? 0) >= hw && (replicasOf.get(tp)?.length ?? 0) === (fetched.get(tp)?.length ?? 0));
        if (now - lastReportMs > reportIntervalMs || done) {
          emit(
            { event: 'max-lag', maxLag, ...(maxLagTp === null ? { topic: null, partition: null } : splitTp(maxLagTp)), offset: offsetWithMaxLag, partitions: fetched.size },
            renderMaxLag(kafkaDate(now), maxLag, maxLagTp, offsetWithMaxLag, fetched.size),
          );
          lastReportMs = now;
        }
        if (done) return 0;
      }
      return 0;
    });
  },
};

/** `orders-3` → topic and partition (topic names may hold dashes: the last one splits). */
function splitTp(tp: string): { topic: string; partition: number } {
  const at = tp.lastIndexOf('-');
  return { topic: tp.slice(0, at), partition: Number(tp.slice(at + 1)) };
}

async function initialOffsets(admin: Admin, partitions: readonly { topic: string; partition: number }[], time: number): Promise<Map<string, number>> {
  const spec: OffsetSpec = time === -1 ? 'latest' : time === -2 ? 'earliest' : { timestampMs: time };
  const results = await admin.listOffsets(partitions.map((p) => ({ ...p, spec })));
  const out = new Map<string, number>();
  for (const r of results) {
    if (r.offset < 0 && time >= 0) throw new KafkaError(ErrorCode.OFFSET_NOT_AVAILABLE, `no offset of ${r.topic}-${r.partition} at or after timestamp ${time}`);
    out.set(`${r.topic}-${r.partition}`, r.offset);
  }
  return out;
}
