// A real kts broker on 127.0.0.1:0 over a temp data dir for CLI tests, stopped on teardown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';

export interface CliTestBroker {
  bootstrap: string;
  dataDir: string;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function tempDir(t: Teardown, prefix = 'kts-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function startCliBroker(t: Teardown, overrides: string[] = []): Promise<CliTestBroker> {
  const dataDir = await tempDir(t, 'kts-cli-broker-');
  const config = buildBrokerConfig({ dataDir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', 'num.partitions=1', ...overrides] });
  const broker = await startBroker(config, { listen: true });
  t.teardown(() => broker.stop());
  return { bootstrap: `127.0.0.1:${portOf(broker.boundPorts)}`, dataDir };
}

function portOf(bound: unknown): number {
  if (typeof bound === 'number') return bound;
  if (Array.isArray(bound)) return portOf(bound[0]);
  if (bound instanceof Map) return portOf([...bound.values()][0]);
  if (bound && typeof bound === 'object') {
    const o = bound as Record<string, unknown>;
    if (typeof o.port === 'number') return o.port;
    return portOf(Object.values(o)[0]);
  }
  throw new Error(`no bound port in ${JSON.stringify(bound)}`);
}
