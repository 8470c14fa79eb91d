/**
 * A negotiated connection to one broker: encodes requests with the protocol codec, checks
 * correlation ids, and picks per API the highest version both sides support (ApiVersions,
 * with the v0 fallback answer brokers send when they do not know the version we asked).
 */
import { encodeRequestChunks, decodeResponse } from '../protocol/codec.js';
import { ApiKey, apiByKey } from '../protocol/apis.js';
import type { RequestOf, ResponseOf, TypedApiKey } from '../protocol/types.js';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { firstKafkaRelease } from '../protocol/kafka-releases.js';
import { ConnectionError, type FrameChannel } from './tcp-channel.js';

export interface VersionRange {
  minVersion: number;
  maxVersion: number;
}

/** The ApiVersions version we try first; older brokers answer v0 and we retry. */
const API_VERSIONS_FIRST_TRY = 3;
const API_VERSIONS_KEY = ApiKey.ApiVersions;
const SASL_HANDSHAKE_KEY = ApiKey.SaslHandshake;
const SASL_AUTHENTICATE_KEY = ApiKey.SaslAuthenticate;

export class BrokerConnection {
  readonly channel: FrameChannel;
  private readonly clientId: string;
  private readonly requestTimeoutMs: number;
  private nextCorrelationId = 1;
  private brokerVersions = new Map<number, VersionRange>();
  private reauthenticationGate: (() => Promise<void> | undefined) | undefined;

  private constructor(channel: FrameChannel, clientId: string, requestTimeoutMs: number) {
    this.channel = channel;
    this.clientId = clientId;
    this.requestTimeoutMs = requestTimeoutMs;
  }

  static async open(channel: FrameChannel, clientId: string, requestTimeoutMs: number): Promise<BrokerConnection> {
    const conn = new BrokerConnection(channel, clientId, requestTimeoutMs);
    try {
      await conn.negotiate();
    } catch (err) {
      channel.close();
      throw err;
    }
    return conn;
  }

  get address(): string {
    return this.channel.address;
  }

  /** The broker's range for apiKey, or undefined when it lacks the API. */
  brokerRange(apiKey: number): VersionRange | undefined {
    return this.brokerVersions.get(apiKey);
  }

  /** Every API range the broker advertised (kts broker-api-versions). */
  brokerRanges(): ReadonlyMap<number, VersionRange> {
    return this.brokerVersions;
  }

  /** Highest version both sides support, capped at `clientMax`; throws UNSUPPORTED_VERSION. */
  version(apiKey: number, clientMax = Number.MAX_SAFE_INTEGER, clientMin = 0): number {
    const ours = apiByKey(apiKey);
    const theirs = this.brokerVersions.get(apiKey);
    const name = ours?.name ?? `api ${apiKey}`;
    if (!ours || !theirs) {
      const release = firstKafkaRelease(apiKey);
      const needs = release ? `: this needs ${release} or newer (or a kts broker)` : '';
      throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker ${this.address} does not support ${name}${needs}`);
    }
    const max = Math.min(ours.maxVersion, theirs.maxVersion, clientMax);
    const min = Math.max(ours.minVersion, theirs.minVersion, clientMin);
    if (max < min) {
      throw new KafkaError(
        ErrorCode.UNSUPPORTED_VERSION,
        `no common ${name} version with broker ${this.address} (broker ${theirs.minVersion}-${theirs.maxVersion}, kts ${min}-${Math.min(ours.maxVersion, clientMax)})`,
      );
    }
    return max;
  }

  /**
   * Sends one request at the negotiated version. `build` gets the version so callers can
   * fill version-specific fields. Resolves null only when expectResponse is false. The
   * request and response types follow from the API key (protocol/types.ts), so the
   * compiler checks both against the codec's message types.
   */
  async send<K extends TypedApiKey>(
    apiKey: K,
    build: (version: number) => RequestOf<K>,
    options: { maxVersion?: number; minVersion?: number; expectResponse?: boolean; timeoutMs?: number } = {},
  ): Promise<{ version: number; body: ResponseOf<K> } | null> {
    if (this.reauthenticationGate && apiKey !== SASL_HANDSHAKE_KEY && apiKey !== SASL_AUTHENTICATE_KEY) await this.reauthenticationGate();
    const version = this.version(apiKey, options.maxVersion, options.minVersion);
    return this.sendAt(apiKey, version, build(version), options.expectResponse ?? true, options.timeoutMs);
  }

  /**
   * KIP-368: set by the SASL client (net/sasl/client.ts) when the session has a lifetime; other
   * requests wait for it, so none goes out on a session that is due to re-authenticate.
   */
  setReauthenticationGate(gate: () => Promise<void> | undefined): void {
    this.reauthenticationGate = gate;
  }

  /** Like send(), for requests that always get a response. */
  async call<K extends TypedApiKey>(
    apiKey: K,
    build: (version: number) => RequestOf<K>,
    options: { maxVersion?: number; minVersion?: number; timeoutMs?: number } = {},
  ): Promise<{ version: number; body: ResponseOf<K> }> {
    const r = await this.send(apiKey, build, { ...options, expectResponse: true });
    if (!r) throw new ConnectionError(`No response from ${this.address}`);
    return r;
  }

  private async sendAt<K extends TypedApiKey>(
    apiKey: K,
    version: number,
    body: RequestOf<K>,
    expectResponse: boolean,
    timeoutMs = this.requestTimeoutMs,
  ): Promise<{ version: number; body: ResponseOf<K> } | null> {
    const correlationId = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    const frame = encodeRequestChunks(apiKey, version, correlationId, this.clientId, body);
    const response = await this.channel.request(frame, expectResponse, timeoutMs);
    if (!response) return null;
    const decoded = decodeResponse(apiKey, version, response);
    if (decoded.correlationId !== correlationId) {
      this.channel.close();
      throw new ConnectionError(`Broker ${this.address} answered correlation id ${decoded.correlationId}, expected ${correlationId}`, undefined, undefined, 'protocol');
    }
    // The codec decoded it with the response schema of `apiKey` (protocol/apis.ts), whose type is ResponseOf<K>.
    return { version, body: decoded.body as ResponseOf<K> };
  }

  private async negotiate(): Promise<void> {
    const ours = apiByKey(API_VERSIONS_KEY);
    let version = Math.min(ours?.maxVersion ?? 0, API_VERSIONS_FIRST_TRY);
    for (let attempt = 0; attempt < 3; attempt++) {
      const correlationId = this.nextCorrelationId++;
      const body = { clientSoftwareName: 'kts', clientSoftwareVersion: '0.1.0' };
      const frame = encodeRequestChunks(API_VERSIONS_KEY, version, correlationId, this.clientId, body);
      const response = await this.channel.request(frame, true, this.requestTimeoutMs);
      if (!response) throw new ConnectionError(`No ApiVersions response from ${this.address}`);
      const errorCode = response.length >= 6 ? response.readInt16BE(4) : ErrorCode.UNKNOWN_SERVER_ERROR;
      if (errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        // The broker answers in v0 and lists its own ApiVersions range: retry within it.
        const ranges = parseApiVersionsV0(response);
        const theirs = ranges.get(API_VERSIONS_KEY);
        const next = Math.min(theirs?.maxVersion ?? 0, version - 1);
        if (next < 0) break;
        version = next;
        continue;
      }
      if (errorCode !== ErrorCode.NONE) throw new KafkaError(errorCode, `ApiVersions from ${this.address}`);
      // Decoded with the ApiVersions response schema (protocol/apis.ts).
      const decoded = decodeResponse(API_VERSIONS_KEY, version, response).body as ResponseOf<typeof API_VERSIONS_KEY>;
      this.brokerVersions = new Map(decoded.apiKeys.map((k) => [k.apiKey, { minVersion: k.minVersion, maxVersion: k.maxVersion }]));
      return;
    }
    throw new KafkaError(ErrorCode.UNSUPPORTED_VERSION, `broker ${this.address} accepts no ApiVersions version kts speaks`);
  }
}

/** ApiVersions v0 body after the correlation id: error int16, [int16 key, int16 min, int16 max]. */
function parseApiVersionsV0(frame: Buffer): Map<number, VersionRange> {
  const out = new Map<number, VersionRange>();
  if (frame.length < 10) return out;
  const count = frame.readInt32BE(6);
  if (count < 0 || count * 6 > frame.length - 10) return out;
  for (let i = 0, p = 10; i < count; i++, p += 6) {
    out.set(frame.readInt16BE(p), { minVersion: frame.readInt16BE(p + 2), maxVersion: frame.readInt16BE(p + 4) });
  }
  return out;
}
