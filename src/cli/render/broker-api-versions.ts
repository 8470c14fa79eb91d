/**
 * Pure renderer for `kts broker-api-versions`, in kafka-broker-api-versions.sh's words
 * (Kafka's NodeApiVersions.toString(true)): per broker `host:port (id: N rack: R) -> (`,
 * then one API per line, `Name(key): min to max [usable: v]`, `[usable: NONE]` when no
 * version is common, `Name(key): UNSUPPORTED` for an API kts speaks that the broker lacks,
 * `UNKNOWN(key): ...` for one kts does not know; ascending by key.
 */

export interface ApiVersionsLine {
  apiKey: number;
  /** Kafka's API name, or null when kts does not know the key. */
  name: string | null;
  /** The broker's range; null when the broker does not advertise the API. */
  minVersion: number | null;
  maxVersion: number | null;
  /** Highest version both kts and the broker speak; null when none. */
  usableVersion: number | null;
}

export interface BrokerApiVersionsView {
  host: string;
  port: number;
  nodeId: number;
  rack: string | null;
  error: string | null;
  apis: ApiVersionsLine[];
}

function lineText(l: ApiVersionsLine): string {
  const head = `${l.name ?? 'UNKNOWN'}(${l.apiKey}): `;
  if (l.minVersion === null || l.maxVersion === null) return `${head}UNSUPPORTED`;
  const range = l.minVersion === l.maxVersion ? String(l.minVersion) : `${l.minVersion} to ${l.maxVersion}`;
  if (l.name === null) return head + range;
  return `${head}${range} [usable: ${l.usableVersion === null ? 'NONE' : l.usableVersion}]`;
}

export function renderBrokerApiVersions(brokers: readonly BrokerApiVersionsView[]): string {
  return brokers
    .map((b) => {
      const node = `${b.host}:${b.port} (id: ${b.nodeId} rack: ${b.rack ?? 'null'})`;
      if (b.error !== null) return `${node} -> ERROR: ${b.error}\n`;
      const lines = [...b.apis].sort((x, y) => x.apiKey - y.apiKey).map(lineText);
      return `${node} -> (\n\t${lines.join(',\n\t')}\n)\n`;
    })
    .join('');
}
