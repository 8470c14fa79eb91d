/**
 * Pure renderers for `kts configs` in kafka-configs.sh's format:
 *   Dynamic configs for topic foo are:
 *     k=v sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:k=v, DEFAULT_CONFIG:k=v}
 */

export interface ConfigLine {
  name: string;
  /** null for sensitive or unset values. */
  value: string | null;
  source: string;
  isSensitive: boolean;
  readOnly: boolean;
  synonyms: { name: string; value: string | null; source: string }[];
}

export interface ConfigsView {
  entityType: 'topics' | 'brokers';
  /** Topic name or broker id; '' for the cluster-wide broker default. */
  entityName: string;
  all: boolean;
  configs: ConfigLine[];
}

function entityLabel(v: ConfigsView): string {
  if (v.entityType === 'topics') return `topic ${v.entityName}`;
  return `broker ${v.entityName}`;
}

export function describeHeader(v: ConfigsView): string {
  if (v.entityType === 'brokers' && v.entityName === '') {
    return v.all ? 'All configs for brokers in the cluster are:' : 'Default configs for brokers in the cluster are:';
  }
  return `${v.all ? 'All' : 'Dynamic'} configs for ${entityLabel(v)} are:`;
}

export function renderConfigLine(c: ConfigLine): string {
  const value = c.isSensitive ? null : c.value;
  const synonyms = c.synonyms.map((s) => `${s.source}:${s.name}=${c.isSensitive ? null : s.value}`).join(', ');
  return `  ${c.name}=${value} sensitive=${c.isSensitive} synonyms={${synonyms}}`;
}

export function renderConfigs(views: readonly ConfigsView[]): string {
  const out: string[] = [];
  for (const v of views) {
    out.push(describeHeader(v));
    for (const c of v.configs) out.push(renderConfigLine(c));
  }
  return out.map((l) => l + '\n').join('');
}

export function renderAlterDone(entityType: 'topics' | 'brokers', entityName: string): string {
  if (entityType === 'brokers' && entityName === '') return 'Completed updating default config for brokers in the cluster.\n';
  return `Completed updating config for ${entityType === 'topics' ? 'topic' : 'broker'} ${entityName}.\n`;
}
