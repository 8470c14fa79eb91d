/** Framing and header rules: request header v1/v2, response header v0/v1 (ApiVersions always v0), chunks, unsupported versions. */
import t, { type Test } from 'tap';
import {
  decodeRequest, decodeRequestBody, decodeRequestHeader, decodeResponse, encodeRequest, encodeResponse,
  encodeResponseChunks, requestHeaderVersion, responseHeaderVersion, peekCorrelationId, encodeTypedRequest, decodeTypedResponse,
} from '../../src/protocol/codec.js';
import { ApiKey, apiByKey, allApis } from '../../src/protocol/apis.js';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { ProtocolDecodeError } from '../../src/protocol/reader.js';
import { ProtocolEncodeError } from '../../src/protocol/writer.js';
import type { TypedApiKey } from '../../src/protocol/types.js';
import type { FetchResponse } from '../../src/protocol/messages/01-fetch.js';
import type { MetadataRequest } from '../../src/protocol/messages/03-metadata.js';
import type { ApiVersionsResponse } from '../../src/protocol/messages/18-api-versions.js';

t.test('header versions follow Kafka', async (t) => {
  t.equal(requestHeaderVersion(ApiKey.Metadata, 8), 1);
  t.equal(requestHeaderVersion(ApiKey.Metadata, 9), 2);
  t.equal(requestHeaderVersion(ApiKey.ApiVersions, 3), 2);
  t.equal(requestHeaderVersion(ApiKey.ApiVersions, 7), 2, 'future flexible versions still use header v2');
  t.equal(requestHeaderVersion(ApiKey.ControlledShutdown, 0), 0);
  t.equal(responseHeaderVersion(ApiKey.ApiVersions, 4), 0, 'ApiVersions responses always use header v0');
  t.equal(responseHeaderVersion(ApiKey.Fetch, 11), 0);
  t.equal(responseHeaderVersion(ApiKey.Fetch, 12), 1);
  t.equal(responseHeaderVersion(ApiKey.DescribeCluster, 0), 1);
});

t.test('request header v1 bytes', async (t) => {
  const frame = encodeRequest(ApiKey.Metadata, 1, 7, 'cli', { topics: null });
  t.equal(frame.toString('hex'), ['00000011', '0003', '0001', '00000007', '0003636c69', 'ffffffff'].join(''));
  const h = decodeRequestHeader(frame.subarray(4));
  t.same(h, { apiKey: 3, apiVersion: 1, correlationId: 7, clientId: 'cli', bodyOffset: 13 });
});

t.test('request header v2: int16 client id, then tagged fields; null client id', async (t) => {
  const frame = encodeRequest(ApiKey.Metadata, 12, 1, null, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  // size, key, version, correlation id, client id -1, no header tags, topics [] (compact 1), bool, bool, no body tags
  t.equal(frame.subarray(4).toString('hex'), ['0003', '000c', '00000001', 'ffff', '00', '01', '00', '00', '00'].join(''));
  const { header, body } = decodeRequest(frame.subarray(4));
  t.equal(header.clientId, null);
  t.equal(header.bodyOffset, 11);
  t.same((body as MetadataRequest).topics, []);
});

t.test('unknown tagged fields in headers and bodies are skipped', async (t) => {
  // ApiVersions v3 request with a header tag (tag 5, 2 bytes) and a body tag (tag 9, 1 byte)
  const frame = Buffer.from([
    0, 18, 0, 3, 0, 0, 0, 9, 0, 1, 0x61, 1, 5, 2, 0xaa, 0xbb,
    2, 0x6b, 2, 0x31, 1, 9, 1, 0xcc,
  ]);
  const { header, body } = decodeRequest(frame);
  t.equal(header.clientId, 'a');
  t.same(body, { clientSoftwareName: 'k', clientSoftwareVersion: '1' });
});

t.test('ApiVersions response uses header v0 even when the body is flexible', async (t) => {
  const body: ApiVersionsResponse = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0, zkMigrationReady: true };
  const frame = encodeResponse(ApiKey.ApiVersions, 3, 11, body);
  t.equal(frame.readInt32BE(4), 11);
  t.equal(frame.readInt16BE(8), 0, 'error code follows the correlation id directly');
  const out = decodeResponse(ApiKey.ApiVersions, 3, frame.subarray(4));
  t.equal(out.correlationId, 11);
  t.equal((out.body as ApiVersionsResponse).zkMigrationReady, true, 'tagged field written and read');
  t.equal((out.body as ApiVersionsResponse).finalizedFeaturesEpoch, -1);
});

t.test('flexible responses carry a header tag section', async (t) => {
  const frame = encodeResponse(ApiKey.Heartbeat, 4, 5, { throttleTimeMs: 0, errorCode: 27 });
  t.equal(frame.subarray(4).toString('hex'), ['00000005', '00', '00000000', '001b', '00'].join(''));
  t.same(decodeResponse(ApiKey.Heartbeat, 4, frame.subarray(4)), { correlationId: 5, body: { throttleTimeMs: 0, errorCode: 27 } });
  t.equal(peekCorrelationId(frame.subarray(4)), 5);
});

t.test('fetch response chunks keep record buffers by reference', async (t) => {
  const records = Buffer.alloc(64 * 1024, 3);
  const body: FetchResponse = {
    throttleTimeMs: 0, errorCode: 0, sessionId: 0,
    responses: [{ topicId: 'AAAAAAAAAAAAAAAAAAAAAQ', partitions: [{ partitionIndex: 0, errorCode: 0, highWatermark: 100, records }, { partitionIndex: 1, errorCode: 0, highWatermark: 0, records: null }] }],
  };
  const chunks = encodeResponseChunks(ApiKey.Fetch, 13, 77, body);
  t.ok(chunks.some((c) => c === records), 'the records Buffer itself is one of the chunks');
  const frame = Buffer.concat(chunks);
  t.equal(frame.readInt32BE(0), frame.length - 4, 'size prefix covers every chunk');
  t.ok(frame.equals(encodeResponse(ApiKey.Fetch, 13, 77, body)));
  const out = decodeResponse(ApiKey.Fetch, 13, frame.subarray(4)).body as FetchResponse;
  t.ok(out.responses[0]!.partitions[0]!.records!.equals(records));
  t.equal(out.responses[0]!.partitions[1]!.records, null);
  t.equal(out.responses[0]!.topicId, 'AAAAAAAAAAAAAAAAAAAAAQ');
});

function unsupported(t: Test, fn: () => unknown): void {
  try {
    fn();
    t.fail('no error');
  } catch (err) {
    t.ok(err instanceof KafkaError && err.errorCode === ErrorCode.UNSUPPORTED_VERSION, 'UNSUPPORTED_VERSION');
  }
}

t.test('unsupported APIs and versions: UNSUPPORTED_VERSION; header still readable', async (t) => {
  const frame = Buffer.from([0, 99, 0, 0, 0, 0, 0, 3, 0, 1, 0x78]);
  const header = decodeRequestHeader(frame);
  t.same(header, { apiKey: 99, apiVersion: 0, correlationId: 3, clientId: 'x', bodyOffset: 11 });
  unsupported(t, () => decodeRequestBody(header, frame));
  const future = Buffer.from([0, 18, 0, 9, 0, 0, 0, 4, 0, 0, 0]);
  const h2 = decodeRequestHeader(future);
  t.equal(h2.correlationId, 4, 'a future ApiVersions version still yields the correlation id');
  unsupported(t, () => decodeRequestBody(h2, future));
  t.throws(() => encodeRequest(ApiKey.Produce, 12, 1, 'c', {}), KafkaError);
});

t.test('encoding refuses null where the version does not allow it', async (t) => {
  t.throws(() => encodeRequest(ApiKey.Metadata, 0, 1, 'c', { topics: null }), ProtocolEncodeError, 'null topics before v1');
  t.throws(() => encodeRequest(ApiKey.Metadata, 9, 1, 'c', { topics: [{ name: null }] }), ProtocolEncodeError, 'null topic name before v10');
  t.doesNotThrow(() => encodeRequest(ApiKey.Metadata, 10, 1, 'c', { topics: [{ name: null, topicId: 'AAAAAAAAAAAAAAAAAAAAAQ' }] }));
});

t.test('truncated frames give ProtocolDecodeError with a position', async (t) => {
  const frame = encodeRequest(ApiKey.Produce, 9, 1, 'c', { acks: 1, timeoutMs: 100, topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.alloc(30, 1) }] }] }).subarray(4);
  for (let cut = 0; cut < frame.length; cut++) {
    const part = frame.subarray(0, cut);
    try {
      decodeRequest(part);
      t.fail(`decoded a frame cut at ${cut}`);
    } catch (err) {
      if (!(err instanceof ProtocolDecodeError)) throw err;
      t.ok(err.position <= cut, `cut at ${cut}: error at ${err.position}`);
    }
  }
});

t.test('the API table', async (t) => {
  t.equal(apiByKey(ApiKey.Produce)?.name, 'Produce');
  t.equal(apiByKey(ApiKey.Fetch)?.maxVersion, 17);
  t.equal(apiByKey(ApiKey.Fetch)?.flexibleMinVersion, 12);
  t.equal(apiByKey(ApiKey.SaslHandshake)?.flexibleMinVersion, Infinity);
  t.equal(apiByKey(ApiKey.Vote), undefined);
  t.equal(new Set(allApis.map((a) => a.apiKey)).size, allApis.length, 'one entry per key');
  for (const a of allApis) t.equal(a.response.spec.apiKey, a.apiKey, `${a.name} response key`);
});

t.test('typed wrappers check bodies by API key', async (t) => {
  const frame = encodeTypedRequest(ApiKey.Heartbeat, 4, 3, 'c', { groupId: 'g', generationId: 1, memberId: 'm' });
  t.equal(decodeRequest(frame.subarray(4)).header.apiKey, ApiKey.Heartbeat);
  const res = encodeResponse(ApiKey.Heartbeat, 4, 3, { errorCode: 0 });
  const { body } = decodeTypedResponse(ApiKey.Heartbeat, 4, res.subarray(4));
  const code: number = body.errorCode;
  t.equal(code, 0);
  t.equal(allApis.length, allApis.filter((a) => typedKey(a.apiKey)).length, 'every API with a schema has types');
});

function typedKey(k: number): k is TypedApiKey {
  const keys: Record<TypedApiKey, true> = {
    0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 6: true, 7: true, 8: true, 9: true, 10: true, 11: true, 12: true, 13: true, 14: true, 15: true, 16: true,
    17: true, 18: true, 19: true, 20: true, 21: true, 22: true, 23: true, 24: true, 25: true, 26: true, 27: true, 28: true,
    29: true, 30: true, 31: true, 32: true, 33: true, 34: true, 35: true, 36: true, 37: true, 42: true, 43: true, 44: true, 45: true,
    46: true, 47: true, 48: true, 49: true, 50: true, 51: true, 55: true, 57: true, 60: true, 61: true, 65: true, 66: true, 68: true, 69: true, 75: true,
  };
  return k in keys;
}
