/**
 * The broker's logger: one line per event, Kafka-style `[date] LEVEL message (component)`,
 * written to a stream (stderr by default). Tests pass a capturing logger.
 */
import type { Writable } from 'node:stream';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const levelRank: Record<LogLevel, number> = { DEBUG: 0, INFO: 1, WARN: 2, ERROR: 3 };

export function streamLogger(stream: Writable, component: string, minLevel: LogLevel = 'INFO'): Logger {
  const emit = (level: LogLevel, message: string): void => {
    if (levelRank[level] < levelRank[minLevel]) return;
    const stamp = new Date().toISOString().replace('T', ' ').replace('Z', '');
    stream.write(`[${stamp}] ${level} ${message} (${component})\n`);
  };
  return {
    debug: (m) => emit('DEBUG', m),
    info: (m) => emit('INFO', m),
    warn: (m) => emit('WARN', m),
    error: (m) => emit('ERROR', m),
  };
}

/** A logger that keeps lines in memory (tests) and optionally forwards them. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (level: LogLevel) => (m: string) => {
    lines.push(`${level} ${m}`);
  };
  return { lines, debug: push('DEBUG'), info: push('INFO'), warn: push('WARN'), error: push('ERROR') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
