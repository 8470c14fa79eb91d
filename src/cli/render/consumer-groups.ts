/**
 * Pure renderers for `kts consumer-groups`, in kafka-consumer-groups.sh's text formats:
 * the group list (plain, or GROUP/TYPE/STATE columns), the describe views (offsets with
 * lag, members, state), the reset-offsets plan (table or CSV) and the delete-offsets
 * table. Missing values print `-`, as Kafka does. `--json` uses the same data objects.
 */

export interface GroupListRow {
  group: string;
  type: string;
  state: string;
}

export interface OffsetRow {
  group: string;
  topic: string;
  partition: number;
  currentOffset: number | null;
  logEndOffset: number | null;
  lag: number | null;
  leaderEpoch: number | null;
  consumerId: string | null;
  host: string | null;
  clientId: string | null;
}

export interface MemberRow {
  group: string;
  consumerId: string;
  groupInstanceId: string | null;
  host: string;
  clientId: string;
  assignment: { topic: string; partition: number }[];
}

export interface StateRow {
  group: string;
  coordinator: string;
  assignmentStrategy: string;
  state: string;
  members: number;
}

export interface ResetRow {
  group: string;
  topic: string;
  partition: number;
  newOffset: number;
}

export interface DeleteOffsetRow {
  topic: string;
  partition: number;
  error: string | null;
}

const dash = (v: string | number | null | undefined): string => (v === null || v === undefined || v === '' ? '-' : String(v));
const pad = (s: string, width: number): string => s.padEnd(width);
const widthOf = (values: readonly string[], min = 15): number => Math.max(min, ...values.map((v) => v.length));

/** Joins cells padded to widths; the last cell is not padded (as Kafka's printf with a trailing %s). */
function line(cells: readonly string[], widths: readonly (number | null)[]): string {
  return cells.map((c, i) => (widths[i] === null ? c : pad(c, widths[i]!))).join(' ').replace(/\s+$/, '');
}

export function renderGroupList(rows: readonly GroupListRow[], columns: boolean): string {
  if (!columns) return rows.map((r) => `${r.group}\n`).join('');
  const w = widthOf(rows.map((r) => r.group)) + 10;
  const out = [line(['GROUP', 'TYPE', 'STATE'], [w, 20, null])];
  for (const r of rows) out.push(line([r.group, r.type, r.state], [w, 20, null]));
  return out.join('\n') + '\n';
}

export function renderOffsets(rows: readonly OffsetRow[], verbose: boolean): string {
  const g = widthOf(rows.map((r) => r.group));
  const t = widthOf(rows.map((r) => r.topic));
  const c = widthOf(rows.map((r) => dash(r.consumerId)));
  const h = widthOf(rows.map((r) => dash(r.host)));
  const header = ['GROUP', 'TOPIC', 'PARTITION', ...(verbose ? ['LEADER-EPOCH'] : []), 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'CONSUMER-ID', 'HOST', 'CLIENT-ID'];
  const widths = [g, t, 10, ...(verbose ? [15] : []), 15, 15, 15, c, h, null];
  const out = ['', line(header, widths)];
  for (const r of rows) {
    const cells = [r.group, r.topic, String(r.partition), ...(verbose ? [dash(r.leaderEpoch !== null && r.leaderEpoch >= 0 ? r.leaderEpoch : null)] : []), dash(r.currentOffset), dash(r.logEndOffset), dash(r.lag), dash(r.consumerId), dash(r.host), dash(r.clientId)];
    out.push(line(cells, widths));
  }
  return out.join('\n') + '\n';
}

function assignmentText(a: MemberRow['assignment']): string {
  if (a.length === 0) return '-';
  const byTopic = new Map<string, number[]>();
  for (const tp of a) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, ps]) => `${topic}(${ps.sort((x, y) => x - y).join(',')})`).join(', ');
}

export function renderMembers(rows: readonly MemberRow[], verbose: boolean): string {
  const g = widthOf(rows.map((r) => r.group));
  const c = widthOf(rows.map((r) => r.consumerId));
  const i = widthOf(rows.map((r) => dash(r.groupInstanceId)), 17);
  const h = widthOf(rows.map((r) => r.host));
  const cl = widthOf(rows.map((r) => r.clientId));
  const widths = [g, c, i, h, cl, verbose ? 15 : null, null];
  const header = ['GROUP', 'CONSUMER-ID', 'GROUP-INSTANCE-ID', 'HOST', 'CLIENT-ID', '#PARTITIONS', ...(verbose ? ['ASSIGNMENT'] : [])];
  const out = ['', line(header, widths)];
  for (const r of rows) {
    out.push(line([r.group, r.consumerId, dash(r.groupInstanceId), r.host, r.clientId, String(r.assignment.length), ...(verbose ? [assignmentText(r.assignment)] : [])], widths));
  }
  return out.join('\n') + '\n';
}

export function renderState(rows: readonly StateRow[]): string {
  const g = widthOf(rows.map((r) => r.group));
  const c = widthOf(rows.map((r) => r.coordinator), 25);
  const widths = [g, c, 20, 20, null];
  const out = ['', line(['GROUP', 'COORDINATOR (ID)', 'ASSIGNMENT-STRATEGY', 'STATE', '#MEMBERS'], widths)];
  for (const r of rows) out.push(line([r.group, r.coordinator, dash(r.assignmentStrategy), r.state, String(r.members)], widths));
  return out.join('\n') + '\n';
}

export function renderResetPlan(rows: readonly ResetRow[]): string {
  const widths = [30, 30, 10, null];
  const out = ['', line(['GROUP', 'TOPIC', 'PARTITION', 'NEW-OFFSET'], widths)];
  for (const r of rows) out.push(line([r.group, r.topic, String(r.partition), String(r.newOffset)], widths));
  return out.join('\n') + '\n';
}

/** The --export CSV (also the --from-file input): `topic,partition,offset`, with the group first when several groups. */
export function renderResetCsv(rows: readonly ResetRow[], withGroup: boolean): string {
  return rows.map((r) => (withGroup ? `${r.group},` : '') + `${r.topic},${r.partition},${r.newOffset}\n`).join('');
}

export function renderDeleteOffsets(rows: readonly DeleteOffsetRow[]): string {
  const widths = [30, 15, null];
  const out = ['', line(['TOPIC', 'PARTITION', 'STATUS'], widths)];
  for (const r of rows) out.push(line([r.topic, String(r.partition), r.error === null ? 'Successful' : `Error: ${r.error}`], widths));
  return out.join('\n') + '\n';
}

/** Beyond Kafka: lag summed per topic and for the group. */
export function totalLag(rows: readonly OffsetRow[]): { total: number; byTopic: Record<string, number> } {
  const byTopic: Record<string, number> = {};
  let total = 0;
  for (const r of rows) {
    if (r.lag === null) continue;
    byTopic[r.topic] = (byTopic[r.topic] ?? 0) + r.lag;
    total += r.lag;
  }
  return { total, byTopic };
}

export function renderTotalLag(group: string, lag: { total: number; byTopic: Record<string, number> }): string {
  const topics = Object.entries(lag.byTopic).map(([t, n]) => `${t}: ${n}`).join(', ');
  return `Total lag of group '${group}': ${lag.total}${topics ? ` (${topics})` : ''}\n`;
}
