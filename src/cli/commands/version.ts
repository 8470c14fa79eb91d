import type { CommandSpec } from '../command.js';
import { KTS_VERSION } from '../../util/version.js';

export const versionCommand: CommandSpec = {
  name: 'version',
  summary: 'Print the kts version',
  options: {
    json: { type: 'boolean', describe: 'Print as JSON' },
  },
  examples: [['kts version', 'print the version']],
  async run(args, io) {
    io.stdout.write(args.json ? JSON.stringify({ version: KTS_VERSION }) + '\n' : `${KTS_VERSION}\n`);
  },
};
