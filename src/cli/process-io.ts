/** The real process's streams as a CliIo, with SIGINT/SIGTERM turned into `interrupted`. */
import { isatty } from 'node:tty';
import type { CliIo } from './command.js';
import { watchStdoutReader } from './util/stdout-watch.js';

export function processIo(): CliIo {
  let interrupt!: () => void;
  const interrupted = new Promise<void>((resolve) => {
    interrupt = resolve;
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    // A second Ctrl-C means "stop now", as in Kafka's tools.
    if (signals > 1) process.exit(signal === 'SIGINT' ? 130 : 143);
    interrupt();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `kts ... | head` closes our stdout: stop quietly instead of crashing on EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      interrupt();
      process.exitCode = process.exitCode ?? 0;
    }
  });
  let readerGone: Promise<void> | undefined;
  const stdoutReaderGone = (): Promise<void> =>
    (readerGone ??= new Promise<void>((resolve) => {
      watchStdoutReader(process.stdout, () => {
        process.exitCode = process.exitCode ?? 0;
        resolve();
      });
    }));
  // process.stdin is created on first use: a command that reads the descriptor itself
  // (stdinFd) must not have a second handle on it.
  const stdinIsTty = isatty(0);
  return {
    get stdin() {
      return process.stdin;
    },
    stdinFd: stdinIsTty ? undefined : 0,
    stdout: process.stdout,
    stderr: process.stderr,
    stdoutIsTty: Boolean(process.stdout.isTTY),
    stdinIsTty,
    env: process.env,
    interrupted,
    stdoutReaderGone,
    cwd: process.cwd(),
  };
}
