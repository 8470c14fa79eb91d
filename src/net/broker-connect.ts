/**
 * One way to connect to another broker (replica fetchers, the controller's channel, the
 * transaction marker sender, controlled shutdown): TCP or TLS, the ApiVersions handshake,
 * then SASL when the inter-broker listener asks for it.
 */
import { BrokerConnection } from './broker-connection.js';
import { openTcpChannel } from './tcp-channel.js';
import { authenticateSasl, type SaslClientSettings } from './sasl/client.js';
import type { TlsClientSettings } from './tls.js';
import type { BufferPool } from '../util/buffer-pool.js';

export interface ConnectionSecurity {
  tls?: TlsClientSettings;
  sasl?: SaslClientSettings;
}

/** `responseBuffers`: large responses are read into its buffers (see openTcpChannel). */
export async function connectToBroker(host: string, port: number, clientId: string, timeoutMs: number, security: ConnectionSecurity = {}, responseBuffers?: BufferPool): Promise<BrokerConnection> {
  const channel = await openTcpChannel(host, port, timeoutMs, security.tls, responseBuffers);
  const conn = await BrokerConnection.open(channel, clientId, timeoutMs);
  if (security.sasl) {
    try {
      await authenticateSasl(conn, security.sasl);
    } catch (err) {
      channel.close();
      throw err;
    }
  }
  return conn;
}
