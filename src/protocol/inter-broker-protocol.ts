/**
 * `inter.broker.protocol.version` (IBP) as Kafka orders it: `1.1`, `1.1-IV0`, `0.10.2`,
 * `2.4-IV1`, `3.6`. 0.x versions step by their third number; 1.x and later by IV, and a bare
 * `2.4` means its latest IV. What a broker sends and writes for older peers depends on it.
 */
export type IbpKey = readonly [number, number, number];

/** The comparable key of an IBP, or undefined when the text is not one. */
export function parseIbp(text: string): IbpKey | undefined {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?(?:-IV(\d+))?$/.exec(text.trim());
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = Number(m[2]);
  return major === 0 ? [0, minor, Number(m[3] ?? 0)] : [major, minor, m[4] === undefined ? Number.MAX_SAFE_INTEGER : Number(m[4])];
}

export function compareIbp(a: IbpKey, b: IbpKey): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}
