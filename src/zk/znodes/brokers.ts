/**
 * `/brokers/ids/N` (ephemeral), Kafka's broker registration. Written as version 4:
 * `{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://127.0.0.1:19091"],
 *   "jmx_port":-1,"host":"127.0.0.1","timestamp":"1796621094117","port":19091,"version":4}` plus `"rack"`
 * when set. `host`/`port` come from the first endpoint whose security protocol is PLAINTEXT, else
 * null/-1 (old clients read them). Versions 1-3 are read too (v1: host/port only; v2: endpoints
 * named by protocol; v3: rack).
 */
import { brokerIdPath } from './paths.js';
import { ZnodeDataError, intField, parseJsonObject, toJsonBytes, type JsonObject } from './json.js';

export interface BrokerEndpoint {
  listenerName: string;
  securityProtocol: string;
  host: string;
  port: number;
}

export interface BrokerRegistration {
  id: number;
  endpoints: BrokerEndpoint[];
  rack?: string | undefined;
  /** -1: kts has no JMX. */
  jmxPort?: number;
  /** Registration time, ms since the epoch (written as a string). */
  timestampMs?: number;
  /** The znode's czxid, Kafka's broker epoch (set when read from ZooKeeper). */
  epoch?: bigint;
}

export function encodeBroker(b: BrokerRegistration, timestampMs: number = Date.now()): Buffer {
  const plaintext = b.endpoints.find((e) => e.securityProtocol === 'PLAINTEXT');
  const json: JsonObject = {
    listener_security_protocol_map: Object.fromEntries(b.endpoints.map((e) => [e.listenerName, e.securityProtocol])),
    endpoints: b.endpoints.map(endpointString),
    jmx_port: b.jmxPort ?? -1,
    host: plaintext ? plaintext.host : null,
    timestamp: String(b.timestampMs ?? timestampMs),
    port: plaintext ? plaintext.port : -1,
    version: 4,
  };
  if (b.rack !== undefined) json.rack = b.rack;
  return toJsonBytes(json);
}

export function endpointString(e: BrokerEndpoint): string {
  const host = e.host.includes(':') ? `[${e.host}]` : e.host;
  return `${e.listenerName}://${host}:${e.port}`;
}

/** `NAME://host:port`, IPv6 hosts in brackets, an empty host for "all interfaces". */
export function parseEndpoint(path: string, s: string, protocols: Record<string, string> | undefined): BrokerEndpoint {
  const m = /^([A-Za-z0-9_.-]+):\/\/(\[[^\]]*\]|[^:]*):(\d+)$/.exec(s);
  if (!m) throw new ZnodeDataError(path, `endpoint "${s}" is not NAME://host:port`);
  const listenerName = m[1]!;
  const host = m[2]!.startsWith('[') ? m[2]!.slice(1, -1) : m[2]!;
  const securityProtocol = protocols ? protocols[listenerName] : listenerName;
  if (securityProtocol === undefined) throw new ZnodeDataError(path, `listener ${listenerName} is missing from listener_security_protocol_map`);
  return { listenerName, securityProtocol, host, port: Number(m[3]) };
}

export function decodeBroker(id: number, data: Buffer | null): BrokerRegistration {
  const path = brokerIdPath(id);
  const o = parseJsonObject(path, data);
  const version = intField(path, o, 'version');
  let endpoints: BrokerEndpoint[];
  if (version <= 1) {
    const host = o.host;
    if (typeof host !== 'string') throw new ZnodeDataError(path, 'version 1 registration without "host"');
    endpoints = [{ listenerName: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', host, port: intField(path, o, 'port') }];
  } else {
    const map = o.listener_security_protocol_map;
    const protocols = map && typeof map === 'object' && !Array.isArray(map) ? (map as Record<string, string>) : undefined;
    if (!Array.isArray(o.endpoints)) throw new ZnodeDataError(path, '"endpoints" is not a list');
    endpoints = o.endpoints.map((e) => parseEndpoint(path, String(e), protocols));
  }
  const reg: BrokerRegistration = { id, endpoints, jmxPort: typeof o.jmx_port === 'number' ? o.jmx_port : -1 };
  if (typeof o.rack === 'string') reg.rack = o.rack;
  if (o.timestamp !== undefined) reg.timestampMs = intField(path, o, 'timestamp');
  return reg;
}
