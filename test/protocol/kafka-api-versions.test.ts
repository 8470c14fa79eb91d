// Which inter.broker.protocol.version values cap the versions a kts broker advertises
// (protocol/kafka-api-versions.ts); the table itself is checked against a live Kafka 1.1
// broker in test/mixed/kafkajs-seed-versions.test.ts.
import t from 'tap';
import { clientVersionCaps } from '../../src/protocol/kafka-api-versions.js';

t.test('Kafka 1.1 IBPs cap at Kafka 1.1.0 versions; others cap nothing', async (t) => {
  for (const ibp of ['1.1', '1.1-IV0', ' 1.1 ']) {
    const caps = clientVersionCaps(ibp);
    t.equal(caps?.get(0), 5, `${ibp}: Produce up to v5`);
    t.equal(caps?.get(22), 0, `${ibp}: InitProducerId v0`);
    t.equal(caps?.get(43), undefined, `${ibp}: APIs Kafka 1.1 lacks are not capped`);
  }
  for (const ibp of [undefined, '', '1.0', '0.11.0', '2.0', '2.0-IV0', '3.6', 'garbage']) {
    t.equal(clientVersionCaps(ibp), undefined, `${String(ibp)}: no caps`);
  }
});
