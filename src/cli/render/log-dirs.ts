/** Pure renderer for `kts log-dirs --describe`, in kafka-log-dirs.sh's JSON shape. */

export interface LogDirsJson {
  version: 1;
  brokers: {
    broker: number;
    logDirs: {
      logDir: string;
      error: string | null;
      partitions: { partition: string; size: number; offsetLag: number; isFuture: boolean }[];
    }[];
  }[];
}

export function renderLogDirs(data: LogDirsJson): string {
  const ids = data.brokers.map((b) => b.broker).join(',');
  return `Querying brokers for log directories information\nReceived log directory information from brokers ${ids}\n${JSON.stringify(data)}\n`;
}
