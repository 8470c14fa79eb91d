// Kafka's perf-tool output lines as regexes, shared by the perf tool tests.
export const NUM = String.raw`\d+(?:\.\d+)?`;
export const TOTAL_LINE = new RegExp(
  String.raw`^(\d+) records sent, ${NUM} records/sec \(${NUM} MB/sec\), \d+\.\d\d ms avg latency, \d+\.\d\d ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.$`,
);
export const CSV_HEADER = 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec';
export const DATE = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}`;
export const VAL = String.raw`(?:\d+\.\d{4}|NaN|Infinity)`;
export const CSV_LINE = new RegExp(String.raw`^${DATE}, ${DATE}, ${VAL}, ${VAL}, (\d+), ${VAL}, \d+, \d+, ${VAL}, ${VAL}$`);
