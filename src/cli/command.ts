/**
 * The declarative shape of a kts subcommand. yargs, the man pages and the shell
 * completions are all generated from these specs, so a flag documented in one place is
 * documented everywhere (test/cli/docs.test.ts fails when they drift).
 */
import type { Readable, Writable } from 'node:stream';

export type OptionType = 'string' | 'boolean' | 'number' | 'array';

export interface OptionSpec {
  type: OptionType;
  describe: string;
  alias?: string | readonly string[];
  default?: string | number | boolean | readonly string[];
  choices?: readonly string[];
  /** Placeholder shown in help and man pages, e.g. `<topic>`. */
  placeholder?: string;
  /** Hidden from --help (still in man pages and completions). */
  hidden?: boolean;
  /** A flag Kafka's tool has that we accept under another name: documented, not hidden. */
  deprecated?: string;
  /** For a string option that may be given bare (`--compression-codec` alone): the value it then takes. */
  bareValue?: string;
}

export interface PositionalSpec {
  name: string;
  describe: string;
  type: 'string' | 'number';
  array?: boolean;
  optional?: boolean;
}

/** Streams and environment a command runs with; tests pass their own. */
export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** True when stdout is a terminal (colour, spinners, prompts). */
  stdoutIsTty: boolean;
  /** True when stdin is a terminal (the `>` prompt of console-producer). */
  stdinIsTty: boolean;
  /**
   * The real process's stdin descriptor when it is not a terminal: a command that reads a
   * lot may read it directly (src/cli/util/stdin-chunks.ts) instead of `stdin`, never both.
   * Absent in tests that pass their own streams.
   */
  stdinFd?: number;
  env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); tests can trigger it. */
  interrupted: Promise<void>;
  /**
   * Starts watching for the reader of stdout to go away (`| head -2` done) while nothing is
   * written, and resolves when it has: for commands that wait for data to print. Absent in
   * tests that pass their own streams.
   */
  stdoutReaderGone?: () => Promise<void>;
  cwd: string;
}

export type ParsedArgs = Record<string, unknown> & { _: (string | number)[] };

export interface CommandSpec {
  /** Subcommand name as typed: `topics`, `console-producer`. */
  name: string;
  /** The Kafka script this mirrors, if any: `kafka-topics.sh`. */
  mirrors?: string;
  /** One line for the command list. */
  summary: string;
  /** Paragraphs for --help and the man page. */
  description?: string;
  positionals?: readonly PositionalSpec[];
  options: Readonly<Record<string, OptionSpec>>;
  examples: readonly (readonly [command: string, explanation: string])[];
  /** Returns the exit code (0 when omitted). Throw UsageError for bad flags, KtsError for failures. */
  run(args: ParsedArgs, io: CliIo): Promise<number | void>;
}
