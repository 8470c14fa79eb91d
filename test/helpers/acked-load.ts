/** A producer load that remembers where each acknowledged record went, for the failover tests. */
import type kafkajs from 'kafkajs';

export interface AckedLoad {
  /** Each acknowledged value and where its acknowledgement placed it. */
  readonly acked: Map<string, { partition: number; offset: number }>;
  /** Sends that failed after kafkajs' retries. */
  readonly errors: string[];
  /** Ends the load after the send in flight. */
  stop(): Promise<void>;
}

/**
 * Sends batches of 10 values (`${valuePrefix}0`, `${valuePrefix}1`, ...) with acks=all to
 * partitions 0..partitions-1 of `topic` in turn until stopped. One partition per send: kafkajs
 * 2.2.4 retries a send spanning several leaders per broker, not per partition, and when a
 * leadership moves between attempts it sends a partition's records again under new sequence
 * numbers (a duplicate no broker can detect; seen as a batch of 10 twice at consecutive
 * offsets, and in test/mixed/rolling-migration-load).
 */
export function startAckedLoad(producer: kafkajs.Producer, topic: string, partitions: number, valuePrefix: string): AckedLoad {
  const acked = new Map<string, { partition: number; offset: number }>();
  const errors: string[] = [];
  let stopped = false;
  let seq = 0;
  const running = (async () => {
    while (!stopped) {
      const partition = seq % partitions;
      const values = Array.from({ length: 10 }, () => `${valuePrefix}${seq++}`);
      try {
        const [r] = await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition })) });
        values.forEach((v, i) => acked.set(v, { partition, offset: Number(r!.baseOffset) + i }));
      } catch (err) {
        errors.push(String(err));
      }
    }
  })();
  return {
    acked,
    errors,
    stop: async () => {
      stopped = true;
      await running;
    },
  };
}
