/**
 * Terminal niceties that must vanish when piped: colour only on a TTY without NO_COLOR,
 * and a spinner on stderr that appears only when a wait outlasts ~300 ms.
 */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import type { CliIo } from '../command.js';
import { loadOra } from './load-ora.js';

export function colors(io: CliIo): ChalkInstance {
  const enabled = io.stdoutIsTty && io.env.NO_COLOR === undefined;
  return new Chalk({ level: enabled ? 1 : 0 });
}

/** Run `work`, showing a spinner with `text` on stderr if it takes longer than `delayMs`. */
export async function withSpinner<T>(io: CliIo, text: string, work: Promise<T>, delayMs = 300): Promise<T> {
  // A 0-column pty (script(1) without a size) would make the spinner redraw without end.
  const columns = (io.stderr as { columns?: number }).columns ?? 80;
  if (!io.stdoutIsTty || io.env.NO_COLOR !== undefined || io.env.CI !== undefined || columns <= 0) return work;
  let spinner: Ora | undefined;
  let done = false;
  // ora (and its dependencies) load only when a spinner is really shown: most waits end
  // sooner, and loading it costs every command start.
  const timer = setTimeout(() => {
    void loadOra().then((ora) => {
      if (!done) spinner = ora({ text, stream: io.stderr as NodeJS.WritableStream }).start();
    });
  }, delayMs);
  try {
    return await work;
  } finally {
    done = true;
    clearTimeout(timer);
    spinner?.stop();
  }
}
