/**
 * The one CLI entry: builds yargs from the command specs in registry.ts, runs the chosen
 * command, and turns every error into a message and an exit code in one place:
 * 0 success, 1 error, 2 usage.
 */
import { closest } from '../util/closest.js';
import yargs, { type Argv, type Options } from 'yargs';
import type { CliIo, CommandSpec, OptionSpec, ParsedArgs } from './command.js';
import { commands } from './registry.js';
import { KtsError, UsageError, errorMessage } from '../util/errors.js';
import { KTS_VERSION } from '../util/version.js';
import { KafkaError } from '../protocol/errors.js';
import { Writable } from 'node:stream';

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

function toYargsOption(spec: OptionSpec): Options {
  const opt: Options = { type: spec.type, describe: spec.describe, hidden: spec.hidden };
  if (spec.alias !== undefined) opt.alias = spec.alias as string | string[];
  if (spec.default !== undefined) opt.default = spec.default;
  if (spec.choices !== undefined) opt.choices = spec.choices as string[];
  if (spec.bareValue !== undefined) {
    const bare = spec.bareValue;
    opt.coerce = (v: unknown) => (v === '' ? bare : v);
  } else if (spec.type === 'string' || spec.type === 'number') {
    opt.requiresArg = true;
  }
  return opt;
}

function describeCommand(spec: CommandSpec): string {
  const positionals = (spec.positionals ?? [])
    .map((p) => (p.optional ? `[${p.name}${p.array ? '..' : ''}]` : `<${p.name}${p.array ? '..' : ''}>`))
    .join(' ');
  return positionals ? `${spec.name} ${positionals}` : spec.name;
}

function buildParser(argv: string[], io: CliIo, state: { spec?: CommandSpec; args?: ParsedArgs }): Argv {
  let parser = yargs(argv)
    .scriptName('kts')
    .parserConfiguration({ 'dot-notation': false, 'camel-case-expansion': false, 'duplicate-arguments-array': true })
    .strict()
    .recommendCommands()
    .version(KTS_VERSION)
    .help()
    .alias('h', 'help')
    .wrap(Math.min(100, (process.stdout.columns as number | undefined) ?? 100))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(msg, flagSuggestion(msg, argv));
    })
    .usage('kts <command> [options]\n\nApache Kafka\'s broker and shell tools in one fast binary.')
    .demandCommand(1, 'Name a command: kts <command>. `kts --help` lists them.');
  for (const spec of commands) {
    parser = parser.command(
      describeCommand(spec),
      spec.summary,
      (y) => {
        let b = y;
        for (const p of spec.positionals ?? []) {
          b = b.positional(p.name, { describe: p.describe, type: p.type, array: p.array });
        }
        for (const [name, opt] of Object.entries(spec.options)) b = b.option(name, toYargsOption(opt));
        for (const [cmd, why] of spec.examples) b = b.example(cmd, why);
        if (spec.description) b = b.epilogue(spec.description);
        return b;
      },
      (args) => {
        state.spec = spec;
        state.args = args as unknown as ParsedArgs;
      },
    );
  }
  void io;
  skipHelpCache(parser);
  return parser;
}

/** "Did you mean --create?" for yargs' "Unknown argument: crete", from the command's own flags. */
function flagSuggestion(msg: string, argv: readonly string[]): string | undefined {
  const unknown = /^Unknown arguments?: (.+)$/.exec(msg)?.[1]?.split(', ')[0];
  const spec = commands.find((c) => c.name === argv[0]);
  if (unknown === undefined || !spec) return undefined;
  const near = closest(unknown, [...Object.keys(spec.options), 'help', 'version']);
  return near === undefined ? undefined : `Did you mean --${near}?`;
}

/**
 * yargs renders a command's whole help text after every successful parse, in case the
 * command calls showHelp() later; that text-wrapping is most of a short command's start
 * time. kts commands never call showHelp() (--help is rendered by its own path), so the
 * cache is skipped.
 */
function skipHelpCache(parser: Argv): void {
  const internal = parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/**
 * Kafka's scripts spell a few long flags with one dash (`kafka-server-start.sh -daemon`);
 * yargs would read them as bundles of short flags, so they are rewritten first.
 */
const SINGLE_DASH_LONG_FLAGS: ReadonlySet<string> = new Set(['-daemon']);

export function normalizeArgv(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (const arg of argv) {
    if (arg === '--') {
      out.push(...argv.slice(out.length));
      break;
    }
    out.push(SINGLE_DASH_LONG_FLAGS.has(arg) ? `-${arg}` : arg);
  }
  return out;
}

/** Parse `argv` (without `node kts`) and run the command. Never throws: returns the exit code. */
export async function runCli(rawArgv: string[], io: CliIo): Promise<number> {
  const argv = normalizeArgv(rawArgv);
  const state: { spec?: CommandSpec; args?: ParsedArgs } = {};
  let helpText = '';
  try {
    const parser = buildParser(argv, io, state);
    await parser.parseAsync(argv, {}, (err, _argv, output) => {
      if (output && !err) helpText = output;
      if (err) throw err;
    });
    if (helpText) {
      io.stdout.write(helpText.endsWith('\n') ? helpText : helpText + '\n');
      return EXIT_OK;
    }
    if (!state.spec || !state.args) return EXIT_OK;
    const code = await state.spec.run(state.args, io);
    return code ?? EXIT_OK;
  } catch (err) {
    return argv.includes('--json') ? reportErrorJson(err, io) : reportError(err, io);
  }
}

/**
 * With --json the error is JSON too, one line on stderr, so a script reads one format:
 * {"error":{"code":"KAFKA_UNKNOWN_TOPIC_OR_PARTITION","message":"...","hint":"..."}}.
 * The exit code is the one the text report gives.
 */
export function reportErrorJson(err: unknown, io: CliIo): number {
  const code = reportError(err, { ...io, stderr: new Writable({ write: (_c, _e, done) => done() }) });
  if (code === EXIT_OK) return code;
  const kts = err instanceof KtsError ? err : null;
  const error: Record<string, string | number> = { code: kts?.code ?? 'KTS_ERROR', message: errorMessage(err) };
  if (kts?.hint) error.hint = kts.hint;
  if (err instanceof KafkaError) error.errorCode = err.errorCode;
  io.stderr.write(JSON.stringify({ error }) + '\n');
  return code;
}

export function reportError(err: unknown, io: CliIo): number {
  if (err instanceof UsageError) {
    io.stderr.write(`kts: ${err.message}\n`);
    if (err.hint) io.stderr.write(`  ${err.hint}\n`);
    io.stderr.write('Run with --help for usage.\n');
    return EXIT_USAGE;
  }
  if (err instanceof KtsError) {
    io.stderr.write(`kts: error: ${err.message}\n`);
    if (err.hint) io.stderr.write(`  fix: ${err.hint}\n`);
    return EXIT_ERROR;
  }
  if (isEpipe(err)) return EXIT_OK;
  io.stderr.write(`kts: error: ${errorMessage(err)}\n`);
  if (io.env.KTS_DEBUG && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
  return EXIT_ERROR;
}

function isEpipe(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'EPIPE';
}
