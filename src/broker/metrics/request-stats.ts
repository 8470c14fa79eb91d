/**
 * The hot-path side of the broker's metrics: plain numbers the router bumps once per request
 * (and per partition of a Produce/Fetch), never per record, and never through prom-client
 * on the request path (prom-client hashes label objects on every call). The exposition side
 * (registry.ts) turns these numbers into Prometheus series when it is scraped.
 *
 * Kafka's meanings, after BrokerTopicMetrics and RequestMetrics:
 * - messagesIn / bytesIn: records and batch bytes appended by Produce (failed partitions excluded);
 * - bytesOut: record bytes sent by Fetch (consumers and followers);
 * - bytesRejected: bytes of batches refused as too large or corrupt;
 * - total/failed produce and fetch requests: counted per partition, as Kafka does.
 */
import { apiName } from '../../protocol/apis.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/00-produce.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/01-fetch.js';
import { RECORD_BATCH_OVERHEAD, batchSize, recordsCount } from '../../records/batch-header.js';

/** Upper bounds (ms) of the request-time histogram buckets; +Inf is implied. */
export const REQUEST_TIME_BUCKETS_MS: readonly number[] = [0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000];

export class TopicCounters {
  messagesIn = 0;
  bytesIn = 0;
  bytesOut = 0;
  bytesRejected = 0;
  totalProduceRequests = 0;
  failedProduceRequests = 0;
  totalFetchRequests = 0;
  failedFetchRequests = 0;
}

/** One request type's time histogram: non-cumulative bucket counts, sum and count. */
export class RequestTimes {
  readonly buckets = new Float64Array(REQUEST_TIME_BUCKETS_MS.length + 1);
  sumMs = 0;
  count = 0;
  constructor(readonly request: string) {}

  observe(ms: number): void {
    let i = 0;
    while (i < REQUEST_TIME_BUCKETS_MS.length && ms > REQUEST_TIME_BUCKETS_MS[i]!) i++;
    this.buckets[i]!++;
    this.sumMs += ms;
    this.count++;
  }
}

const PRODUCE = 0;
const FETCH = 1;
/** Error codes for which Kafka counts the batch bytes as rejected (too large, corrupt, invalid). */
const REJECTED_CODES: ReadonlySet<number> = new Set([
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE,
  ErrorCode.INVALID_RECORD,
]);
const NO_SUCH_TOPIC: ReadonlySet<number> = new Set([
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
  ErrorCode.UNKNOWN_TOPIC_ID,
  ErrorCode.INVALID_TOPIC_EXCEPTION,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
]);
/** Fetch request names, as Kafka's RequestMetrics splits them. */
const FETCH_CONSUMER = 'FetchConsumer';
const FETCH_FOLLOWER = 'FetchFollower';

/** Resolves a Fetch v13+ topic id to its name (the broker's metadata image). */
export type TopicNameById = (topicId: string) => string | undefined;

export class RequestStats {
  readonly all = new TopicCounters();
  /** Per existing topic; topics that disappear are dropped at scrape time. */
  readonly topics = new Map<string, TopicCounters>();
  /** Indexed by API key; Fetch is split into consumer and follower below. */
  private readonly times: (RequestTimes | undefined)[] = [];
  private readonly fetchFollowerTimes = new RequestTimes(FETCH_FOLLOWER);
  /** Requests being handled now (Kafka's request queue + in-flight, as one figure). */
  inFlight = 0;

  /** Fetch v13+ names topics by id: resolved once per id (the resolver scans the logs). */
  private readonly namesById = new Map<string, string>();

  constructor(private readonly topicNameById: TopicNameById) {}

  /** Forgets per-topic figures and ids of topics that no longer exist (called at scrape). */
  dropTopics(exists: (topic: string) => boolean): void {
    for (const name of this.topics.keys()) if (!exists(name)) this.topics.delete(name);
    this.namesById.clear();
  }

  private nameOf(topicId: string): string | undefined {
    let name = this.namesById.get(topicId);
    if (name === undefined) {
      name = this.topicNameById(topicId);
      if (name !== undefined) this.namesById.set(topicId, name);
    }
    return name;
  }

  /** Every request type seen so far, for exposition. */
  requestTimes(): RequestTimes[] {
    const out = this.times.filter((t): t is RequestTimes => t !== undefined);
    if (this.fetchFollowerTimes.count > 0) out.push(this.fetchFollowerTimes);
    return out;
  }

  /** Called by the router once per handled request. */
  onRequest(apiKey: number, request: unknown, response: unknown, elapsedMs: number, failed: boolean): void {
    if (apiKey === PRODUCE) {
      this.onProduce(request as ProduceRequest, response as ProduceResponse | null, failed);
    } else if (apiKey === FETCH) {
      const fetch = request as FetchRequest;
      // v15+ carries the replica id in ReplicaState, older versions in ReplicaId; the decoder
      // fills the field a version lacks with its default -1, so whichever is set wins.
      const follower = Math.max(fetch.replicaState?.replicaId ?? -1, fetch.replicaId ?? -1) >= 0;
      if (failed) this.onFetchFailed(fetch);
      else if (response) this.onFetch(response as FetchResponse);
      if (follower) {
        this.fetchFollowerTimes.observe(elapsedMs);
        return;
      }
    }
    this.timesOf(apiKey).observe(elapsedMs);
  }

  private timesOf(apiKey: number): RequestTimes {
    let t = this.times[apiKey];
    if (!t) this.times[apiKey] = t = new RequestTimes(apiKey === FETCH ? FETCH_CONSUMER : apiName(apiKey));
    return t;
  }

  private topic(name: string): TopicCounters {
    let c = this.topics.get(name);
    if (!c) this.topics.set(name, (c = new TopicCounters()));
    return c;
  }

  private onProduce(request: ProduceRequest, response: ProduceResponse | null, failed: boolean): void {
    for (let ti = 0; ti < request.topicData.length; ti++) {
      const topicData = request.topicData[ti]!;
      // Responses come in request order; look them up by name/index only if they do not.
      const aligned = response?.responses[ti];
      const results = aligned?.name === topicData.name ? aligned.partitionResponses : response?.responses.find((r) => r.name === topicData.name)?.partitionResponses;
      for (let pi = 0; pi < topicData.partitionData.length; pi++) {
        const data = topicData.partitionData[pi]!;
        const records = data.records;
        const result = results?.[pi]?.index === data.index ? results[pi] : results?.find((r) => r.index === data.index);
        const errorCode = failed ? ErrorCode.UNKNOWN_SERVER_ERROR : (result?.errorCode ?? ErrorCode.NONE);
        // Topics that do not exist (or may not be named) count only broker-wide, so a client
        // cannot grow the map with made-up names.
        const t = failed || NO_SUCH_TOPIC.has(errorCode) ? this.topics.get(topicData.name) : this.topic(topicData.name);
        this.all.totalProduceRequests++;
        if (t) t.totalProduceRequests++;
        const bytes = records?.length ?? 0;
        if (errorCode !== 0) {
          this.all.failedProduceRequests++;
          if (t) t.failedProduceRequests++;
          if (REJECTED_CODES.has(errorCode)) {
            this.all.bytesRejected += bytes;
            if (t) t.bytesRejected += bytes;
          }
          continue;
        }
        const count = records ? recordCount(records) : 0;
        this.all.bytesIn += bytes;
        this.all.messagesIn += count;
        t!.bytesIn += bytes;
        t!.messagesIn += count;
      }
    }
  }

  /** The handler threw: every partition asked for counts as a failed fetch. */
  private onFetchFailed(request: FetchRequest): void {
    for (const topic of request.topics) {
      const name = topic.topic || (topic.topicId ? this.nameOf(topic.topicId) : undefined);
      const t = name !== undefined ? this.topics.get(name) : undefined;
      this.all.totalFetchRequests += topic.partitions.length;
      this.all.failedFetchRequests += topic.partitions.length;
      if (t) {
        t.totalFetchRequests += topic.partitions.length;
        t.failedFetchRequests += topic.partitions.length;
      }
    }
  }

  private onFetch(response: FetchResponse): void {
    for (const topicResponse of response.responses) {
      const name = topicResponse.topic || (topicResponse.topicId ? this.nameOf(topicResponse.topicId) : undefined);
      for (const p of topicResponse.partitions) {
        const known = name !== undefined && !NO_SUCH_TOPIC.has(p.errorCode);
        const t = known ? this.topic(name) : undefined;
        this.all.totalFetchRequests++;
        if (t) t.totalFetchRequests++;
        if (p.errorCode !== 0) {
          this.all.failedFetchRequests++;
          if (t) t.failedFetchRequests++;
        }
        const bytes = p.records?.length ?? 0;
        this.all.bytesOut += bytes;
        if (t) t.bytesOut += bytes;
      }
    }
  }
}

/** Records in a buffer of v2 batches, from each batch header (no record is decoded). */
export function recordCount(records: Buffer): number {
  let count = 0;
  let pos = 0;
  while (pos + RECORD_BATCH_OVERHEAD <= records.length) {
    count += recordsCount(records, pos);
    pos += batchSize(records, pos);
  }
  return count;
}
