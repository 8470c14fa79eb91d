/**
 * `kts broker-api-versions`: kafka-broker-api-versions.sh. Asks every broker of the
 * cluster for its ApiVersions and prints each API's range and the version kts would use.
 */
import type { CommandSpec } from '../command.js';
import { clientConfig, connectionOptions, jsonOption } from '../options/common.js';
import { withClient } from '../util/connect.js';
import { type ApiVersionsLine, type BrokerApiVersionsView, renderBrokerApiVersions } from '../render/broker-api-versions.js';
import { ApiKey, allApis, apiByKey } from '../../protocol/apis.js';
import type { BrokerApiVersions } from '../../client/index.js';

const KNOWN_NAMES = new Map<number, string>(Object.entries(ApiKey).map(([name, key]) => [key, name]));

export const brokerApiVersionsCommand: CommandSpec = {
  name: 'broker-api-versions',
  mirrors: 'kafka-broker-api-versions.sh',
  summary: 'Print the API versions every broker supports',
  description:
    'For each broker: every API it advertises with its version range and the highest version kts would use ("usable"), ' +
    'and the APIs kts speaks that the broker does not support (UNSUPPORTED).',
  options: {
    ...connectionOptions,
    ...jsonOption,
  },
  examples: [
    ['kts broker-api-versions --bootstrap-server 127.0.0.1:9092', 'API versions of every broker of the cluster'],
    ['kts broker-api-versions --bootstrap-server kafka:9092 --json', 'the same as JSON'],
  ],
  async run(args, io) {
    return withClient(args, io, clientConfig(args, io), async (client) => {
      const views = (await client.admin.brokerApiVersions()).map(toView);
      io.stdout.write(args.json === true ? `${JSON.stringify(views)}\n` : renderBrokerApiVersions(views));
      return 0;
    });
  },
};

export function toView(b: BrokerApiVersions): BrokerApiVersionsView {
  const base = { host: b.node.host, port: b.node.port, nodeId: b.node.nodeId, rack: b.node.rack, error: b.error };
  if (b.ranges === null) return { ...base, apis: [] };
  const apis: ApiVersionsLine[] = [];
  for (const [apiKey, range] of b.ranges) {
    const ours = apiByKey(apiKey);
    const usable = ours ? Math.min(ours.maxVersion, range.maxVersion) : -1;
    const ok = ours !== undefined && usable >= range.minVersion && usable >= ours.minVersion;
    apis.push({ apiKey, name: KNOWN_NAMES.get(apiKey) ?? null, minVersion: range.minVersion, maxVersion: range.maxVersion, usableVersion: ok ? usable : null });
  }
  for (const api of allApis) {
    if (!b.ranges.has(api.apiKey)) apis.push({ apiKey: api.apiKey, name: api.name, minVersion: null, maxVersion: null, usableVersion: null });
  }
  return { ...base, apis: apis.sort((x, y) => x.apiKey - y.apiKey) };
}
