// A real kts broker on 127.0.0.1:0 over a temp data dir, stopped and removed on teardown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';

interface Teardown {
  teardown(fn: () => unknown): void;
}

export interface RunningBroker {
  broker: Broker;
  port: number;
  bootstrap: string;
  dataDir: string;
  log: ReturnType<typeof memoryLogger>;
}

export async function tempDir(t: Teardown, prefix = 'kts-broker-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function runBroker(t: Teardown, overrides: string[] = [], dataDir?: string): Promise<RunningBroker> {
  const dir = dataDir ?? (await tempDir(t));
  const config = buildBrokerConfig({ dataDir: dir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', ...overrides] });
  const log = memoryLogger();
  const broker = await startBroker(config, { listen: true, log });
  t.teardown(() => broker.stop());
  const port = broker.boundPorts[0]!.port;
  return { broker, port, bootstrap: `127.0.0.1:${port}`, dataDir: dir, log };
}
