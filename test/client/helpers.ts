// A real kts broker on 127.0.0.1:0 in a temp data dir, stopped and removed on teardown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { openClient, type KafkaClient } from '../../src/client/index.js';
import { apiHandlers } from '../../src/broker/apis/index.js';
import { produceHandler } from '../../src/broker/apis/00-produce.js';
import { invokeErrorResponse, invokeHandler, type AnyApiHandler, type RequestContext } from '../../src/broker/handler.js';

export interface TestBroker {
  port: number;
  dataDir: string;
  bootstrap: string;
}

interface Teardown {
  teardown(fn: () => unknown): void;
}

export async function tempDir(t: Teardown, prefix = 'kts-client-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function startTestBroker(t: Teardown, overrides: string[] = []): Promise<TestBroker> {
  const dataDir = await tempDir(t, 'kts-broker-');
  const config = buildBrokerConfig({
    dataDir,
    env: {},
    overrides: ['listeners=PLAINTEXT://127.0.0.1:0', 'num.partitions=1', ...overrides],
  });
  const broker = await startBroker(config, { listen: true, log: memoryLogger() });
  t.teardown(() => broker.stop());
  const port = broker.boundPorts[0]!.port;
  return { port, dataDir, bootstrap: `127.0.0.1:${port}` };
}

export async function connect(t: Teardown, broker: TestBroker, config: Record<string, string> = {}): Promise<KafkaClient> {
  const client = await openClient({ bootstrapServer: broker.bootstrap, config: { 'client.id': 'kts-test', ...config } });
  t.teardown(() => client.close());
  return client;
}

type ProduceHandle = (request: unknown, ctx: RequestContext) => unknown;

/**
 * A real broker whose Produce handler is wrapped by `wrap` (to refuse or alter chosen
 * requests; `real` runs the broker's own handler), and a client with a short retry backoff.
 */
export async function startBrokerWithProduce(t: Teardown, wrap: (real: ProduceHandle) => ProduceHandle): Promise<{ dataDir: string; client: KafkaClient }> {
  const real: ProduceHandle = (request, ctx) => invokeHandler(produceHandler as AnyApiHandler, request, ctx);
  const wrapped = { ...produceHandler, handle: wrap(real) } as unknown as AnyApiHandler;
  const apis = apiHandlers.map((h) => (h.apiKey === 0 ? wrapped : h));
  const dataDir = await tempDir(t);
  const config = buildBrokerConfig({ dataDir, env: {}, overrides: ['listeners=PLAINTEXT://127.0.0.1:0'] });
  const broker = await startBroker(config, { listen: true, log: memoryLogger(), apis });
  t.teardown(() => broker.stop());
  const client = await openClient({ bootstrapServer: `127.0.0.1:${broker.boundPorts[0]!.port}`, config: { 'retry.backoff.ms': '10' } });
  t.teardown(() => client.close());
  return { dataDir, client };
}

/** The Produce handler's error response to `request` with `errorCode`. */
export function produceError(request: unknown, errorCode: number, ctx: RequestContext): unknown {
  return invokeErrorResponse(produceHandler as AnyApiHandler, request, errorCode, ctx);
}
