/**
 * The controller's channel to every live broker (Kafka's ControllerChannelManager): one
 * connection per broker on the inter-broker listener (the controller's own broker
 * included, over TCP as Kafka does), one FIFO queue and one request in flight per broker.
 * A failed send reconnects and retries the same request after 100 ms until the broker is
 * removed. Versions: ApiVersions picks the highest both sides support, capped by what
 * `inter.broker.protocol.version` allows (see versions.ts).
 */
import { BrokerConnection } from '../net/broker-connection.js';
import { openTcpChannel, type FrameChannel } from '../net/tcp-channel.js';
import { authenticateSasl } from '../net/sasl/client.js';
import type { ConnectionSecurity } from '../net/broker-connect.js';
import { KafkaError, ErrorCode } from '../protocol/errors.js';
import type { RequestOf, ResponseOf, TypedApiKey } from '../protocol/types.js';
import type { Logger } from '../util/logger.js';
import type { BrokerEndpoint, BrokerRegistration } from './zk-port.js';

const RETRY_BACKOFF_MS = 100;

export interface ControllerRequest<K extends TypedApiKey = TypedApiKey> {
  apiKey: K;
  /** Highest version to use (the inter-broker protocol cap). */
  maxVersion: number;
  /** Builds the body for the negotiated version. */
  build(version: number): RequestOf<K>;
  /** Called with the response (on the channel's task; callers enqueue controller events). */
  onResponse?(body: ResponseOf<K>, version: number): void;
  /** A human name for logs, e.g. "LeaderAndIsr". */
  name: string;
}

export interface ChannelManagerOptions {
  controllerId: number;
  /** The inter-broker listener name (inter.broker.listener.name or the security protocol's name). */
  listenerName: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  log: Logger;
  /** How to open a connection (TCP by default). */
  openChannel?: (host: string, port: number, connectTimeoutMs: number) => Promise<FrameChannel>;
  /** TLS/SASL of the inter-broker listener. */
  security?: ConnectionSecurity;
}

class BrokerChannel {
  readonly queue: ControllerRequest[] = [];
  private connection: BrokerConnection | null = null;
  private stopped = false;
  /** Failed attempts in a row (retries every 100 ms: only some are logged). */
  private failures = 0;
  private wake: (() => void) | null = null;

  constructor(
    readonly brokerId: number,
    readonly endpoint: BrokerEndpoint,
    private readonly options: ChannelManagerOptions,
  ) {
    void this.loop();
  }

  enqueue(request: ControllerRequest): void {
    this.queue.push(request);
    this.wake?.();
  }

  /**
   * Stops the loop. A connect in progress is not waited for (it can take the whole connect
   * timeout to a dead broker): the loop closes what it opens once it sees `stopped`.
   */
  stop(): void {
    this.stopped = true;
    this.wake?.();
    this.connection?.channel.close();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const request = this.queue[0];
      if (!request) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = null;
        continue;
      }
      const sent = await this.trySend(request);
      if (this.stopped) return;
      if (sent) this.queue.shift();
      else await this.sleep(RETRY_BACKOFF_MS);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).then(() => {
      this.wake = null;
    });
  }

  /** True when the request is done (answered, or refused for good); false to retry. */
  private async trySend(request: ControllerRequest): Promise<boolean> {
    const { log, controllerId } = this.options;
    let answer: { version: number; body: ResponseOf<TypedApiKey> };
    try {
      const conn = await this.connect();
      const version = conn.version(request.apiKey, request.maxVersion);
      answer = await conn.call(request.apiKey, request.build, { maxVersion: version, minVersion: version });
    } catch (err) {
      this.connection?.channel.close();
      this.connection = null;
      if (err instanceof KafkaError && err.errorCode === ErrorCode.UNSUPPORTED_VERSION) {
        log.error(`Controller ${controllerId}: broker ${this.brokerId} cannot take ${request.name}: ${err.message}; dropped`);
        return true;
      }
      if (!this.stopped && this.failures++ % 100 === 0) {
        log.warn(`Controller ${controllerId}'s connection to broker ${this.brokerId} (${this.endpoint.host}:${this.endpoint.port}) was unsuccessful: ${(err as Error).message}; retrying every ${RETRY_BACKOFF_MS} ms`);
      }
      return false;
    }
    this.failures = 0;
    // Outside the retry: a failing callback must not send the request again.
    try {
      request.onResponse?.(answer.body, answer.version);
    } catch (err) {
      log.error(`Controller ${controllerId}: handling broker ${this.brokerId}'s ${request.name} answer failed: ${(err as Error).message}`);
    }
    return true;
  }

  private async connect(): Promise<BrokerConnection> {
    if (this.connection?.channel.isOpen) return this.connection;
    const { host, port } = this.endpoint;
    const open = this.options.openChannel ?? ((h: string, p: number, t: number) => openTcpChannel(h, p, t, this.options.security?.tls));
    const channel = await open(host, port, this.options.connectTimeoutMs);
    if (this.stopped) {
      channel.close();
      throw new Error('the channel was stopped');
    }
    const conn = await BrokerConnection.open(channel, `controller-${this.options.controllerId}`, this.options.requestTimeoutMs);
    const sasl = this.options.security?.sasl;
    if (sasl) {
      try {
        await authenticateSasl(conn, sasl);
      } catch (err) {
        channel.close();
        throw err;
      }
    }
    this.connection = conn;
    return this.connection;
  }
}

export class ControllerChannelManager {
  private readonly brokers = new Map<number, BrokerChannel>();

  constructor(private readonly options: ChannelManagerOptions) {}

  /** The broker's endpoint on the inter-broker listener, or undefined when it has none. */
  endpointOf(registration: BrokerRegistration): BrokerEndpoint | undefined {
    return registration.endpoints.find((e) => e.listenerName === this.options.listenerName);
  }

  addBroker(registration: BrokerRegistration): void {
    if (this.brokers.has(registration.id)) return;
    const endpoint = this.endpointOf(registration);
    if (!endpoint) {
      this.options.log.error(
        `Controller ${this.options.controllerId}: broker ${registration.id} has no endpoint for inter-broker listener ${this.options.listenerName} ` +
          `(it registered ${registration.endpoints.map((e) => e.listenerName).join(', ') || 'none'}); it gets no controller requests`,
      );
      return;
    }
    this.brokers.set(registration.id, new BrokerChannel(registration.id, endpoint, this.options));
  }

  async removeBroker(brokerId: number): Promise<void> {
    const channel = this.brokers.get(brokerId);
    if (!channel) return;
    this.brokers.delete(brokerId);
    channel.stop();
  }

  hasBroker(brokerId: number): boolean {
    return this.brokers.has(brokerId);
  }

  /** Queues a request; requests to brokers without a channel (dead or unknown) are dropped, as Kafka does. */
  send<K extends TypedApiKey>(brokerId: number, request: ControllerRequest<K>): void {
    const channel = this.brokers.get(brokerId);
    if (!channel) {
      this.options.log.debug(`Controller ${this.options.controllerId}: not sending ${request.name} to broker ${brokerId}, which is not live`);
      return;
    }
    channel.enqueue(request);
  }

  /** Requests queued or in flight per broker (tests, metrics). */
  queueSizes(): Map<number, number> {
    return new Map([...this.brokers].map(([id, c]) => [id, c.queue.length]));
  }

  async shutdown(): Promise<void> {
    const channels = [...this.brokers.values()];
    this.brokers.clear();
    for (const c of channels) c.stop();
  }
}
