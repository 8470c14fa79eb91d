// With an authorizer on, brokers talk to each other as their inter-broker principal, and
// Kafka requires that principal to hold ClusterAction (super.users in practice). Without it
// the controller's requests and replica fetches are refused with CLUSTER_AUTHORIZATION_FAILED
// and the refusing broker says which principal needs super.users or a ClusterAction ACL;
// each broker already warns at start that its own principal will be refused.
// (The positive case, brokers in super.users replicating with acks=all under an authorizer,
// is test/cluster/acl-zookeeper.test.ts.)
import t from 'tap';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { plainBrokerJaas, saslPlainAclOverrides } from '../helpers/security.js';
import { startKtsCluster } from '../helpers/kts-cluster.js';
import { needsZookeeper } from '../helpers/zookeeper.js';
import { waitFor } from '../helpers/cluster-checks.js';

t.setTimeout(600_000);

const built = existsSync(fileURLToPath(new URL('../../dist/kts.cjs', import.meta.url)));
const skip = needsZookeeper || (built ? false : 'dist/kts.cjs is missing: run `npm run build` first');

const JAAS = plainBrokerJaas(['admin']);

t.test('brokers without ClusterAction: refused, and the log says what to configure', { skip }, async (t) => {
  const cluster = await startKtsCluster(t, [1, 2], saslPlainAclOverrides(JAAS, 'User:admin'));
  // The controller sends UpdateMetadata to every live broker as soon as it sees them.
  const line = await waitFor('a refused inter-broker request in a broker log', async () => {
    for (const b of cluster.brokers.values()) {
      const m = /^.*Denied \w+ \(key \d+\) to User:broker .*$/m.exec(b.output());
      if (m) return m[0];
    }
    return undefined;
  }, 60_000);
  t.match(line, /inter-broker requests need ClusterAction on the cluster/, line);
  t.match(line, /add it to super\.users \(super\.users=User:broker/, 'names the super.users setting');
  t.match(line, /kts acls --add --allow-principal User:broker --operation ClusterAction --cluster/, 'and the ACL that would do');
  for (const b of cluster.brokers.values()) {
    t.match(b.output(), /this broker's inter-broker principal User:broker is not in super\.users and may not ClusterAction on the cluster.*super\.users=User:broker/, `broker ${b.id} warned at start`);
    const count = b.output().split('\n').filter((l) => /Denied UpdateMetadata \(key 6\) to User:broker/.test(l)).length;
    t.ok(count <= 1, `broker ${b.id}: logged once per principal and API, not per request (${count})`);
  }
});
