// The start-up check of a cluster broker with an authorizer: its own inter-broker principal
// must be allowed ClusterAction. Over an SSL inter-broker listener with client certificates
// that principal is the broker's certificate subject mapped by ssl.principal.mapping.rules
// (User:localhost here); without client authentication it is User:ANONYMOUS.
import t from 'tap';
import { buildBrokerConfig } from '../../src/broker/config.js';
import { startBroker } from '../../src/broker/broker.js';
import { interBrokerPrincipal } from '../../src/broker/auth/inter-broker.js';
import { memoryLogger } from '../../src/util/logger.js';
import { makeCerts } from '../helpers/certs.js';
import { needsZookeeper, startZooKeeper } from '../helpers/zookeeper.js';
import { tempDir } from './helpers.js';

const certs = makeCerts(t);
const ssl = (clientAuth: string): string[] => [
  'listeners=SSL://127.0.0.1:0',
  'security.inter.broker.protocol=SSL',
  'ssl.keystore.type=PEM',
  `ssl.keystore.location=${certs.serverPem}`,
  `ssl.truststore.location=${certs.caCert}`,
  `ssl.client.auth=${clientAuth}`,
  // The server certificate's subject prints (RFC 2253, as Java) as O=kts,CN=localhost.
  'ssl.principal.mapping.rules=RULE:^O=kts,CN=(.*)$/$1/,DEFAULT',
];

t.test('the inter-broker principal over SSL', async (t) => {
  const principal = (clientAuth: string) => interBrokerPrincipal(buildBrokerConfig({ dataDir: certs.dir, env: {}, overrides: ssl(clientAuth) }), 'SSL');
  t.equal(principal('required'), 'User:localhost', "the certificate's subject (O=kts,CN=localhost) mapped by the rules");
  t.equal(principal('none'), 'User:ANONYMOUS', 'no client authentication: ANONYMOUS, as Kafka sees it');
});

t.test('a cluster broker warns at start when its SSL principal may not ClusterAction', { skip: needsZookeeper, timeout: 120_000 }, async (t) => {
  const zk = await startZooKeeper(t);
  const start = async (id: number, superUsers: string) => {
    const log = memoryLogger();
    const config = buildBrokerConfig({
      dataDir: await tempDir(t, `kts-ibp-${id}-`),
      env: {},
      overrides: [...ssl('required'), `zookeeper.connect=${zk.connect}`, `broker.id=${id}`, 'offsets.topic.replication.factor=1', 'authorizer.class.name=kafka.security.authorizer.AclAuthorizer', `super.users=${superUsers}`],
    });
    const broker = await startBroker(config, { listen: true, log });
    t.teardown(() => broker.stop());
    return log.lines.join('\n');
  };
  const missing = await start(1, 'User:admin');
  t.match(missing, /inter-broker principal User:localhost is not in super\.users and may not ClusterAction on the cluster[^]*super\.users=User:localhost/, 'names the mapped certificate principal and the fix');
  const listed = await start(2, 'User:admin;User:localhost');
  t.notMatch(listed, /may not ClusterAction/, 'no warning once it is a super user');
});
