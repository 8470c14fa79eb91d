/**
 * The first Apache Kafka release that served each API, so a refusal against an older
 * broker can say which broker version the command needs ("needs Kafka 2.3 or newer").
 * Facts from Kafka's KIPs and release notes.
 */
const FIRST_RELEASE: ReadonlyMap<string, readonly number[]> = new Map([
  ['0.8.0', [0, 1, 2, 3, 4, 5, 6, 7]],
  ['0.8.1', [8, 9]],
  ['0.8.2', [10]],
  ['0.9', [11, 12, 13, 14, 15, 16]],
  ['0.10.0', [17, 18]],
  ['0.10.1', [19, 20]],
  ['0.11', [21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33]],
  ['1.0', [34, 35, 36, 37]],
  ['1.1', [38, 39, 40, 41, 42]],
  ['2.2', [43]],
  ['2.3', [44]],
  ['2.4', [45, 46, 47]],
  ['2.6', [48, 49]],
  ['2.7', [50, 51, 52, 53, 54, 55, 56, 57]],
  ['2.8', [58, 59, 60, 62, 63, 64]],
  ['3.0', [61, 65, 66, 67]],
  ['3.7', [68, 69, 70, 71, 72, 73, 74]],
  ['3.8', [75]],
  ['4.0', [76, 77, 78, 79]],
]);

const BY_KEY = new Map<number, string>();
for (const [release, keys] of FIRST_RELEASE) for (const k of keys) BY_KEY.set(k, release);

/** "Kafka 2.3" for IncrementalAlterConfigs; undefined for keys kts does not know. */
export function firstKafkaRelease(apiKey: number): string | undefined {
  const release = BY_KEY.get(apiKey);
  return release === undefined ? undefined : `Kafka ${release}`;
}
