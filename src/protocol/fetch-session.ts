/**
 * The fetching side of a KIP-227 fetch session (Kafka's FetchSessionHandler), sans-io: it
 * turns the partitions a fetcher wants into a full request (epoch 0, which opens a session)
 * or an incremental one (only partitions added or changed since the last request, plus the
 * ones no longer wanted as forgotten), and follows the session id and epoch from the
 * responses. Any error closes the session: the next request is full again, carrying the old
 * id with epoch 0 so the broker drops it and opens a new one.
 */
import { ErrorCode } from './errors.js';
import type { FetchPartition, FetchTopic, ForgottenTopic } from './messages/01-fetch.js';

/** Kafka's INITIAL_EPOCH: a full fetch that opens (or replaces) a session. */
const INITIAL_EPOCH = 0;

export interface WantedPartition {
  topic: string;
  request: FetchPartition;
}

export interface SessionRequest {
  sessionId: number;
  sessionEpoch: number;
  topics: FetchTopic[];
  forgottenTopicsData: ForgottenTopic[];
  /** Whether this request names every wanted partition (a full fetch). */
  full: boolean;
}

const keyOf = (topic: string, partition: number): string => `${partition}:${topic}`;

function sameFetch(a: FetchPartition, b: FetchPartition): boolean {
  return (
    a.fetchOffset === b.fetchOffset &&
    a.logStartOffset === b.logStartOffset &&
    a.partitionMaxBytes === b.partitionMaxBytes &&
    a.currentLeaderEpoch === b.currentLeaderEpoch &&
    a.lastFetchedEpoch === b.lastFetchedEpoch
  );
}

export class FetchSessionHandler {
  private sessionId = 0;
  private epoch = INITIAL_EPOCH;
  /** What the broker's session holds: the partitions as last sent. */
  private inSession = new Map<string, WantedPartition>();
  private pending: { full: boolean; partitions: Map<string, WantedPartition> } | undefined;

  /** The request for the partitions wanted now. */
  build(wanted: readonly WantedPartition[]): SessionRequest {
    const next = new Map(wanted.map((w) => [keyOf(w.topic, w.request.partition), w]));
    const full = this.epoch === INITIAL_EPOCH;
    this.pending = { full, partitions: next };
    if (full) return { sessionId: this.sessionId, sessionEpoch: INITIAL_EPOCH, topics: byTopic([...next.values()]), forgottenTopicsData: [], full };
    const changed = [...next].filter(([k, w]) => {
      const before = this.inSession.get(k);
      return !before || !sameFetch(before.request, w.request);
    });
    const forgotten = [...this.inSession].filter(([k]) => !next.has(k)).map(([, w]) => w);
    return {
      sessionId: this.sessionId,
      sessionEpoch: this.epoch,
      topics: byTopic(changed.map(([, w]) => w)),
      forgottenTopicsData: forgottenByTopic(forgotten),
      full,
    };
  }

  /**
   * Follow the response to the last built request; false when it failed (the session is
   * closed and the next request is full).
   */
  handleResponse(errorCode: number, responseSessionId: number | undefined): boolean {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending || errorCode !== ErrorCode.NONE) {
      this.closeSession();
      return false;
    }
    if (pending.full) {
      this.sessionId = responseSessionId ?? 0;
      // No session given (cache full, or a version without sessions): keep sending full fetches.
      this.epoch = this.sessionId === 0 ? INITIAL_EPOCH : 1;
    } else {
      this.epoch = this.epoch >= 0x7fffffff ? 1 : this.epoch + 1;
    }
    this.inSession = pending.partitions;
    return true;
  }

  /** The request failed without a response (timeout, closed connection): start over with a full fetch. */
  closeSession(): void {
    this.pending = undefined;
    this.epoch = INITIAL_EPOCH;
    this.inSession = new Map();
  }
}

function byTopic(partitions: readonly WantedPartition[]): FetchTopic[] {
  const out = new Map<string, FetchPartition[]>();
  for (const w of partitions) {
    let list = out.get(w.topic);
    if (!list) out.set(w.topic, (list = []));
    list.push(w.request);
  }
  return [...out].map(([topic, list]) => ({ topic, partitions: list }));
}

function forgottenByTopic(partitions: readonly WantedPartition[]): ForgottenTopic[] {
  return byTopic(partitions).map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => p.partition) }));
}
