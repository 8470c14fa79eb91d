/**
 * Golden bytes for flexible versions from a real client: kcat (librdkafka) connects to a
 * capture server that speaks only ApiVersions and Metadata through kts's codec. Every
 * request librdkafka sends must decode and re-encode to the same bytes, and librdkafka
 * must understand the responses (kcat prints the topic it read from our Metadata).
 * Skips when kcat is not installed.
 */
import t from 'tap';
import net from 'node:net';
import { spawn, spawnSync } from 'node:child_process';
import { decodeRequest, encodeRequest, encodeResponse } from '../../src/protocol/codec.js';
import { ApiKey } from '../../src/protocol/apis.js';
import type { MetadataRequest, MetadataResponse } from '../../src/protocol/messages/03-metadata.js';
import type { ApiVersionsResponse } from '../../src/protocol/messages/18-api-versions.js';

const hasKcat = spawnSync('kcat', ['-V']).status === 0;

interface Seen {
  apiKey: number;
  apiVersion: number;
  reencodedEqual: boolean;
  body: unknown;
}

function respond(apiKey: number, apiVersion: number, correlationId: number, port: number, body: unknown): Buffer | null {
  if (apiKey === ApiKey.ApiVersions) {
    const res: ApiVersionsResponse = {
      errorCode: 0, throttleTimeMs: 0,
      apiKeys: [{ apiKey: ApiKey.Metadata, minVersion: 0, maxVersion: 12 }, { apiKey: ApiKey.ApiVersions, minVersion: 0, maxVersion: 4 }],
    };
    return encodeResponse(apiKey, Math.min(apiVersion, 4), correlationId, res);
  }
  if (apiKey === ApiKey.Metadata) {
    const wantsAll = (body as MetadataRequest).topics === null;
    const res: MetadataResponse = {
      throttleTimeMs: 0, brokers: [{ nodeId: 1, host: '127.0.0.1', port, rack: null }], clusterId: 'kts-golden', controllerId: 1,
      topics: wantsAll || (body as MetadataRequest).topics!.length > 0
        ? [{ errorCode: 0, name: 'golden-topic', topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', isInternal: false, partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 0, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }] }]
        : [],
    };
    return encodeResponse(apiKey, apiVersion, correlationId, res);
  }
  return null;
}

t.test('librdkafka requests round-trip byte for byte; librdkafka reads our responses', { skip: hasKcat ? false : 'kcat not installed' }, async (t) => {
  const seen: Seen[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    let pending = Buffer.alloc(0);
    sock.on('error', () => undefined);
    sock.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const frame = pending.subarray(4, 4 + pending.readInt32BE(0));
        pending = pending.subarray(4 + frame.length);
        const { header, body } = decodeRequest(frame);
        const again = encodeRequest(header.apiKey, header.apiVersion, header.correlationId, header.clientId, body);
        seen.push({ apiKey: header.apiKey, apiVersion: header.apiVersion, reencodedEqual: again.subarray(4).equals(frame), body });
        const out = respond(header.apiKey, header.apiVersion, header.correlationId, (server.address() as net.AddressInfo).port, body);
        if (out) sock.write(out);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  t.teardown(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });

  const kcat = spawn('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-m', '8', '-X', 'api.version.request=true'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const killTimer = setTimeout(() => kcat.kill('SIGKILL'), 15000);
  t.teardown(() => {
    clearTimeout(killTimer);
    kcat.kill('SIGKILL');
  });
  let stdout = '';
  let stderr = '';
  kcat.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  kcat.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => kcat.on('close', resolve));

  t.equal(code, 0, `kcat exited cleanly ${stderr}`);
  t.match(stdout, /topic "golden-topic" with 1 partitions/, 'librdkafka decoded our Metadata response');
  t.match(stdout, /broker 1 at 127\.0\.0\.1:\d+/);
  const apiVersions = seen.filter((s) => s.apiKey === ApiKey.ApiVersions);
  const metadata = seen.filter((s) => s.apiKey === ApiKey.Metadata);
  t.ok(apiVersions.length >= 1, 'librdkafka sent ApiVersions');
  t.ok(metadata.length >= 1, 'librdkafka sent Metadata');
  t.ok(apiVersions.some((s) => s.apiVersion >= 3), 'an ApiVersions request in a flexible version');
  // which Metadata version depends on the installed librdkafka (1.x stops at v4)
  t.ok(metadata.every((s) => s.apiVersion >= 1), `Metadata versions ${metadata.map((s) => s.apiVersion).join(',')}`);
  for (const s of seen) t.ok(s.reencodedEqual, `api ${s.apiKey} v${s.apiVersion} re-encodes to librdkafka's bytes`);
  const av = apiVersions.find((s) => s.apiVersion >= 3)!.body as { clientSoftwareName: string };
  t.equal(av.clientSoftwareName, 'librdkafka');
});
