/**
 * Opens the client for a command from the shared connection options and always closes it,
 * so an in-process engine is stopped cleanly even when the command fails.
 */
import { resolve } from 'node:path';
import { openClient, type KafkaClient } from '../../client/index.js';
import type { CliIo, ParsedArgs } from '../command.js';
import type { Properties } from './properties.js';
import { withSpinner } from './tty.js';

export async function withClient<T>(args: ParsedArgs, io: CliIo, config: Properties, work: (client: KafkaClient) => Promise<T>): Promise<T> {
  const bootstrap = typeof args['bootstrap-server'] === 'string' ? args['bootstrap-server'] : undefined;
  const dataDir = typeof args['data-dir'] === 'string' ? resolve(io.cwd, args['data-dir']) : undefined;
  const client = await withSpinner(
    io,
    bootstrap ? `connecting to ${bootstrap}` : 'opening the local engine',
    openClient({ bootstrapServer: bootstrap, dataDir, config: Object.fromEntries(config), env: io.env }),
  );
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
