/** Topic selection as Kafka's tools do it: `--topic` is a regex matched against the whole name. */

export function topicMatcher(pattern: string | undefined): (topic: string) => boolean {
  if (pattern === undefined || pattern === '') return () => true;
  let re: RegExp;
  try {
    re = new RegExp(`^(?:${pattern})$`);
  } catch {
    return (topic) => topic === pattern;
  }
  // A literal name matches itself even when its '.' would be a wildcard.
  return (topic) => topic === pattern || re.test(topic);
}

/** Integer option value or undefined; refuses non-integers. */
export function intOption(value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isInteger(n) ? n : Number.NaN;
}
