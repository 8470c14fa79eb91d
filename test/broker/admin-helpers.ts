// Helpers for the admin API tests: a raw protocol client over TCP (for versions kafkajs
// does not send) using kts's own codec, one request at a time.
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { decodeResponse, encodeRequest } from '../../src/protocol/codec.js';
import { startBroker, type Broker } from '../../src/broker/broker.js';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { silentLogger } from '../../src/util/logger.js';
import type { LogManager, PartitionLog } from '../../src/storage/index.js';

export interface RawClient {
  request<T>(apiKey: number, apiVersion: number, body: unknown): Promise<T>;
  close(): void;
}

export async function rawClient(host: string, port: number): Promise<RawClient> {
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ host, port }, () => resolve(s));
    s.once('error', reject);
  });
  let buffered = Buffer.alloc(0);
  let waiter: ((frame: Buffer) => void) | null = null;
  let failed: Error | null = null;
  const frames: Buffer[] = [];
  socket.on('data', (data: Buffer) => {
    buffered = Buffer.concat([buffered, data]);
    while (buffered.length >= 4 && buffered.length >= 4 + buffered.readInt32BE(0)) {
      const size = buffered.readInt32BE(0);
      const frame = buffered.subarray(4, 4 + size);
      buffered = buffered.subarray(4 + size);
      if (waiter) {
        const w = waiter;
        waiter = null;
        w(frame);
      } else frames.push(frame);
    }
  });
  socket.on('close', () => {
    failed = new Error('connection closed by the broker');
  });
  let correlationId = 0;
  return {
    async request<T>(apiKey: number, apiVersion: number, body: unknown): Promise<T> {
      const id = ++correlationId;
      socket.write(encodeRequest(apiKey, apiVersion, id, 'admin-test', body));
      const frame =
        frames.shift() ??
        (await new Promise<Buffer>((resolve, reject) => {
          if (failed) return reject(failed);
          waiter = resolve;
          socket.once('close', () => reject(new Error('connection closed by the broker')));
        }));
      const decoded = decodeResponse(apiKey, apiVersion, frame);
      if (decoded.correlationId !== id) throw new Error(`correlation id ${decoded.correlationId}, expected ${id}`);
      return decoded.body as T;
    },
    close() {
      socket.destroy();
    },
  };
}

export interface AdminBroker {
  broker: Broker;
  port: number;
  nodeId: number;
  clusterId: string;
  logDir: string;
  dataDir: string;
  /** A partition's log, straight from the engine (to check what a request changed). */
  log(topic: string, partition: number): PartitionLog;
  raw(): Promise<RawClient>;
}

/**
 * A kts broker on 127.0.0.1 port 0, stopped at teardown. A fresh data dir (removed at
 * teardown) unless `dataDir` is given (to restart on the same logs).
 */
export async function startAdminBroker(t: Test, overrides: readonly string[] = [], dataDirToReuse?: string): Promise<AdminBroker> {
  const dataDir = dataDirToReuse ?? mkdtempSync(join(tmpdir(), 'kts-admin-'));
  const config = buildBrokerConfig({ dataDir, overrides: ['listeners=PLAINTEXT://127.0.0.1:0', ...overrides], env: {} });
  const broker = await startBroker(config, { listen: true, log: silentLogger });
  // One teardown, in order: clients, broker, then the data dir.
  const clients: RawClient[] = [];
  t.teardown(async () => {
    clients.forEach((c) => c.close());
    await broker.stop();
    if (dataDirToReuse === undefined) rmSync(dataDir, { recursive: true, force: true });
  });
  const port = broker.boundPorts[0]!.port;
  const logManager = broker.context.logManager as unknown as LogManager;
  return {
    broker,
    port,
    nodeId: broker.nodeId,
    clusterId: broker.clusterId,
    logDir: config.logDirs[0]!,
    dataDir,
    log(topic, partition) {
      const log = logManager.getLog(topic, partition);
      if (!log) throw new Error(`no log ${topic}-${partition}`);
      return log;
    },
    async raw() {
      const client = await rawClient('127.0.0.1', port);
      clients.push(client);
      return client;
    },
  };
}
