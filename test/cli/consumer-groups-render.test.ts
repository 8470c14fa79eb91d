// The consumer-groups renderers on fixed data: Kafka's column layouts, `-` for missing
// values, the verbose columns, the reset plan and its CSV, the delete-offsets table.
import t from 'tap';
import {
  renderDeleteOffsets,
  renderGroupList,
  renderMembers,
  renderOffsets,
  renderResetCsv,
  renderResetPlan,
  renderState,
  renderTotalLag,
  totalLag,
  type OffsetRow,
} from '../../src/cli/render/consumer-groups.js';

const rows: OffsetRow[] = [
  { group: 'app', topic: 'orders', partition: 0, currentOffset: 10, logEndOffset: 12, lag: 2, leaderEpoch: 0, consumerId: 'c-1', host: '/127.0.0.1', clientId: 'cl' },
  { group: 'app', topic: 'orders', partition: 1, currentOffset: null, logEndOffset: 5, lag: null, leaderEpoch: null, consumerId: null, host: null, clientId: null },
];

t.test('offsets view', async (t) => {
  t.equal(
    renderOffsets(rows, false),
    '\n' +
      'GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n' +
      'app             orders          0          10              12              2               c-1             /127.0.0.1      cl\n' +
      'app             orders          1          -               5               -               -               -               -\n',
  );
  t.match(renderOffsets(rows, true).split('\n')[1], /^GROUP\s+TOPIC\s+PARTITION\s+LEADER-EPOCH\s+CURRENT-OFFSET/);
  t.same(totalLag(rows), { total: 2, byTopic: { orders: 2 } });
  t.equal(renderTotalLag('app', totalLag(rows)), "Total lag of group 'app': 2 (orders: 2)\n");
});

t.test('members, state and list views', async (t) => {
  const members = [{ group: 'app', consumerId: 'c-1', groupInstanceId: null, host: '/127.0.0.1', clientId: 'cl', assignment: [{ topic: 'b', partition: 1 }, { topic: 'a', partition: 2 }, { topic: 'b', partition: 0 }] }];
  t.equal(
    renderMembers(members, true),
    '\n' +
      'GROUP           CONSUMER-ID     GROUP-INSTANCE-ID HOST            CLIENT-ID       #PARTITIONS     ASSIGNMENT\n' +
      'app             c-1             -                 /127.0.0.1      cl              3               b(0,1), a(2)\n',
  );
  t.equal(renderMembers(members, false).split('\n')[2], 'app             c-1             -                 /127.0.0.1      cl              3');
  t.equal(
    renderState([{ group: 'app', coordinator: 'localhost:9092  (1)', assignmentStrategy: 'range', state: 'Stable', members: 2 }]),
    '\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS\napp             localhost:9092  (1)       range                Stable               2\n',
  );
  t.equal(renderGroupList([{ group: 'a', type: 'Classic', state: 'Empty' }], false), 'a\n');
  t.equal(renderGroupList([{ group: 'a', type: 'Classic', state: 'Empty' }], true), 'GROUP                     TYPE                 STATE\na                         Classic              Empty\n');
});

t.test('reset plan, CSV and delete-offsets', async (t) => {
  const plan = [{ group: 'app', topic: 'orders', partition: 0, newOffset: 7 }];
  t.equal(renderResetPlan(plan), '\nGROUP                          TOPIC                          PARTITION  NEW-OFFSET\napp                            orders                         0          7\n');
  t.equal(renderResetCsv(plan, false), 'orders,0,7\n');
  t.equal(renderResetCsv(plan, true), 'app,orders,0,7\n');
  t.equal(
    renderDeleteOffsets([{ topic: 'orders', partition: 0, error: null }, { topic: 'orders', partition: 1, error: 'GROUP_SUBSCRIBED_TO_TOPIC' }]),
    '\nTOPIC                          PARTITION       STATUS\norders                         0               Successful\norders                         1               Error: GROUP_SUBSCRIBED_TO_TOPIC\n',
  );
});
