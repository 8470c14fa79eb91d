/**
 * Every subcommand kts has. One line per command; each command lives in its own file
 * under cli/commands/. Order here is the order of `kts --help`.
 */
import type { CommandSpec } from './command.js';
import { versionCommand } from './commands/version.js';

export const commands: readonly CommandSpec[] = [
  versionCommand,
];
