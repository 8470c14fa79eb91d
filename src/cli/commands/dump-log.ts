/**
 * `kts dump-log`: kafka-dump-log.sh. Prints log segments, indexes, transaction indexes,
 * producer snapshots and checkpoint files line for line as Kafka does, and adds --json,
 * --summary, --check (a corruption report with byte positions) and directory arguments.
 */
import type { Writable } from 'node:stream';
import type { CliIo, CommandSpec, ParsedArgs } from '../command.js';
import { UsageError } from '../../util/errors.js';
import { Dumper, INT32_MAX, type DumpOptions } from '../../inspect/dump.js';
import { expandPaths } from '../../inspect/files.js';
import { StreamSink } from '../../inspect/output.js';
import { DECODER_NAMES, resolveDecoder } from '../../inspect/decoders/payload.js';
import { offsetsParser, transactionLogParser, type RecordParser } from '../../inspect/decoders/internal-topics.js';
import { DEFAULT_WINDOW_BYTES } from '../../inspect/file-window.js';
import type { RecordDecoders } from '../../inspect/record-text.js';
import { loadOra } from '../util/load-ora.js';

const DESCRIPTION = `Files: .log segments, .index, .timeindex, .txnindex, producer .snapshot, KRaft .checkpoint snapshots, and the text checkpoints (replication-offset-checkpoint, leader-epoch-checkpoint, ...). A directory in --files stands for the files of a partition directory, or of every partition directory in a log directory. Files are read in bounded windows (--window-bytes; a .log is read one window ahead, so two are held), never whole, so memory does not grow with segment size.

Output is kafka-dump-log.sh's, line for line; its end-of-run reports (index mismatches, non-consecutive offsets) go to stderr as in Kafka, listing at most 100000 pairs per file and report (then "... and N more"). Where Kafka would crash (a size field below 14, undecodable records, a missing segment), kts prints the reason on stderr and goes on. KRaft control records print as Kafka prints them (SnapshotHeader, SnapshotFooter, KRaftVersion and KRaftVoters as JSON; LEADER_CHANGE as "controlType: LEADER_CHANGE(2)"); metadata records themselves are not decoded (--cluster-metadata-decoder is refused).

--json prints one JSON object per line, each with "type" and "path": file {kind}; logStart {baseOffset}; snapshotStart {endOffset, epoch}; bootstrapSnapshot; batch {position, size, magic, baseOffset, lastOffset, count, baseSequence, lastSequence, producerId, producerEpoch, partitionLeaderEpoch, isTransactional, isControl, deleteHorizonMs|null, timestampType, maxTimestamp, compressionType, compression, crc, isValid}; record {magic, timestampType, isControl, offset, timestamp, keySize, valueSize, sequence?, headerKeys?, legacy?{isValid, crc}, control?{kind: endTxn|kraft|other, controlType, coordinatorEpoch (endTxn), typeId, label and data (kraft)}, key?, payload?}; invalidBytes {name, position, count}; indexEntry {offset, position}; timeIndexEntry {timestamp, offset}; indexEmpty; sanityPassed; abortedTxn {version, producerId, firstOffset, lastOffset, lastStableOffset}; producerState {producerId, producerEpoch, coordinatorEpoch, currentTxnFirstOffset|null, lastTimestamp, batch|null}; checkpointHeader {version, entries}; checkpointEntry {fields}; ignored; error {message}; problem {severity: error|warning, kind, position|null, message}; report {report, pairs, more}; summary {see --summary}; checkResult {files, problems, warnings} (last line with --check). Integers are JSON numbers.

--summary prints, per file, batches, records, offset and timestamp ranges, magic versions, codecs, producer ids, valid and invalid bytes and the number of problems, instead of the dump. --check prints only the corruption report ("Problem in <file> at byte <n>: <kind>: <detail>", or "Warning in ..." for what may be legitimate, such as CreateTime timestamps going backwards): crc-mismatch, torn-tail, corrupt-entry, decode-error, offset-regression, timestamp-regression, index-entry-out-of-range, index-mismatch, index-not-monotonic, time-index-mismatch, sanity-check-failed, corrupt-file, unreadable) and exits 1 when it finds a problem (warnings alone exit 0).

Decoders (--key-decoder-class, --value-decoder-class): ${DECODER_NAMES.join(', ')}; Kafka's StringDecoder, IntegerDecoder, LongDecoder and DefaultDecoder (printed as hex) class names are accepted too. --cluster-metadata-decoder, --remote-log-metadata-decoder and --share-group-state-decoder are refused.`;

const REFUSED = ['cluster-metadata-decoder', 'remote-log-metadata-decoder', 'share-group-state-decoder'] as const;

function intOption(args: ParsedArgs, name: string, min: number): number {
  const v = args[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > INT32_MAX) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${INT32_MAX}, got ${String(v)}`);
  }
  return v;
}

/** The record parser, and the key/value decoders when that is all it applies. */
function pickParser(args: ParsedArgs): { parser: RecordParser; decoders?: RecordDecoders } {
  if (args['offsets-decoder'] === true) return { parser: offsetsParser };
  if (args['transaction-log-decoder'] === true) return { parser: transactionLogParser };
  const key = resolveDecoder(String(args['key-decoder-class'] ?? ''), '--key-decoder-class');
  const value = resolveDecoder(String(args['value-decoder-class'] ?? ''), '--value-decoder-class');
  const parser: RecordParser = (r) => {
    const out: { key?: string; payload?: string } = {};
    if (r.key !== null) out.key = key(r.key);
    if (r.value !== null) out.payload = value(r.value);
    return out;
  };
  return { parser, decoders: { key, value } };
}

function fileList(args: ParsedArgs): string[] {
  const raw = args.files;
  const values = (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string');
  const files = values.flatMap((v) => v.split(',')).filter((f) => f !== '');
  if (files.length === 0) throw new UsageError('--files is required: a comma-separated list of files or directories');
  return files;
}

/** A terminal with a known width: a spinner on a 0-column pty would redraw without end. */
function isTty(stream: Writable): boolean {
  const tty = stream as Writable & { isTTY?: boolean; columns?: number };
  return tty.isTTY === true && (tty.columns ?? 80) > 0;
}

const SPINNER_MIN_BYTES = 64 * 1024 * 1024;

export const dumpLogCommand: CommandSpec = {
  name: 'dump-log',
  mirrors: 'kafka-dump-log.sh',
  summary: 'Print and verify log segments, indexes, snapshots and checkpoint files',
  description: DESCRIPTION,
  options: {
    files: { type: 'string', describe: 'REQUIRED: comma-separated .log/.index/.timeindex/.txnindex/.snapshot/.checkpoint files or directories', placeholder: '<file1,file2,...>' },
    'print-data-log': { type: 'boolean', describe: 'Print record keys and payloads (implies --deep-iteration; implied by any decoder option)' },
    'deep-iteration': { type: 'boolean', describe: 'Print every record inside each batch, not only the batches' },
    'skip-record-metadata': { type: 'boolean', describe: 'Leave out per-record metadata (offset, timestamp, sizes, ...)' },
    'verify-index-only': { type: 'boolean', describe: 'Check .index/.timeindex entries against the log without printing them' },
    'index-sanity-check': { type: 'boolean', describe: 'Only run the broker-startup sanity check on .index/.timeindex files' },
    'max-message-size': { type: 'number', default: 5242880, describe: 'Bytes read after an index entry to find its batch' },
    'max-bytes': { type: 'number', default: INT32_MAX, describe: 'Read at most this many bytes of each .log file' },
    'key-decoder-class': { type: 'string', placeholder: '<decoder>', describe: `Decode keys as ${DECODER_NAMES.join('|')} or a Kafka decoder class name (default string)` },
    'value-decoder-class': { type: 'string', placeholder: '<decoder>', describe: `Decode values as ${DECODER_NAMES.join('|')} or a Kafka decoder class name (default string)` },
    'offsets-decoder': { type: 'boolean', describe: 'Decode records as __consumer_offsets keys and values (JSON)' },
    'transaction-log-decoder': { type: 'boolean', describe: 'Decode records as __transaction_state keys and values' },
    'cluster-metadata-decoder': { type: 'boolean', describe: 'Not supported by kts: refused with an error' },
    'remote-log-metadata-decoder': { type: 'boolean', describe: 'Not supported by kts: refused with an error' },
    'share-group-state-decoder': { type: 'boolean', describe: 'Not supported by kts: refused with an error' },
    json: { type: 'boolean', describe: 'One JSON object per line (schema in the description)' },
    summary: { type: 'boolean', describe: 'Per-file totals and problem counts instead of the dump' },
    check: { type: 'boolean', describe: 'Only the corruption report with byte positions; exit 1 on any problem (not on warnings)' },
    'window-bytes': { type: 'number', default: DEFAULT_WINDOW_BYTES, describe: 'Read window per file in bytes (memory bound; a .log scan holds two)' },
  },
  examples: [
    ['kts dump-log --files /var/kafka/t-0/00000000000000000000.log', 'list the batches of a segment'],
    ['kts dump-log --files 00000000000000000000.log --print-data-log', 'print every record with key and value'],
    ['kts dump-log --files /var/kafka/t-0 --check', 'verify a whole partition directory'],
    ['kts dump-log --files /var/kafka --summary --json', 'totals for every file of a log dir, as JSON'],
  ],
  async run(args, io) {
    for (const flag of REFUSED) {
      if (args[flag] === true) throw new UsageError(`--${flag} is not supported by kts dump-log`, 'decode such records with --value-decoder-class hex or base64');
    }
    const decoderGiven = ['offsets-decoder', 'transaction-log-decoder'].some((f) => args[f] === true) ||
      args['key-decoder-class'] !== undefined || args['value-decoder-class'] !== undefined;
    const printDataLog = args['print-data-log'] === true || decoderGiven;
    const opts: DumpOptions = {
      printDataLog,
      deepIteration: args['deep-iteration'] === true || printDataLog,
      skipRecordMetadata: args['skip-record-metadata'] === true,
      verifyIndexOnly: args['verify-index-only'] === true,
      indexSanityCheck: args['index-sanity-check'] === true,
      maxMessageSize: intOption(args, 'max-message-size', 1),
      maxBytes: intOption(args, 'max-bytes', 0),
      ...pickParser(args),
      cwd: io.cwd,
      windowBytes: intOption(args, 'window-bytes', 4096),
    };
    const files = await expandPaths(fileList(args), io.cwd);
    return dump(files, opts, args, io);
  },
};

async function dump(files: string[], opts: DumpOptions, args: ParsedArgs, io: CliIo): Promise<number> {
  const mode = { json: args.json === true, summary: args.summary === true, check: args.check === true, skipRecordMetadata: opts.skipRecordMetadata };
  const sink = new StreamSink(io.stdout, io.stderr, mode);
  // Loaded only for a terminal: ora and its dependencies cost startup time otherwise.
  // discardStdin false: raw mode would turn Ctrl-C into a keypress while we read synchronously.
  const spinner = isTty(io.stderr)
    ? (await loadOra())({ stream: io.stderr, text: 'dump-log', isEnabled: true, discardStdin: false })
    : null;
  if (spinner !== null) {
    opts.onProgress = (path, position, size) => {
      if (size < SPINNER_MIN_BYTES) return;
      spinner.text = `${path}: ${Math.floor((100 * position) / size)}% of ${(size / 1048576).toFixed(0)} MiB`;
      // Draw now: a fast scan may never yield to the spinner's own timer before it ends.
      if (spinner.isSpinning) spinner.render();
      else spinner.start();
    };
  }
  let stopped = false;
  void io.interrupted.then(() => {
    stopped = true;
  });
  opts.shouldStop = () => stopped;
  const dumper = new Dumper(opts, sink);
  try {
    for (const file of files) {
      if (stopped) break;
      await dumper.dumpFile(file);
      spinner?.stop();
    }
    dumper.finish();
    await sink.drain();
  } finally {
    spinner?.stop();
  }
  if (mode.check) {
    const n = dumper.problemCount;
    const w = dumper.warningCount;
    const warnings = w === 0 ? '' : ` and ${w} warning(s)`;
    io.stdout.write(
      mode.json
        ? `${JSON.stringify({ type: 'checkResult', files: files.length, problems: n, warnings: w })}\n`
        : n === 0 ? `No problems found in ${files.length} file(s)${warnings === '' ? '' : ` (${w} warning(s))`}.\n` : `Found ${n} problem(s)${warnings} in ${files.length} file(s).\n`,
    );
  }
  return dumper.errorCount > 0 || dumper.ignoredCount > 0 || (mode.check && dumper.problemCount > 0) ? 1 : 0;
}
