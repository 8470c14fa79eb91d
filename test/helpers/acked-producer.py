# A continuous acks=all producer (librdkafka, through confluent_kafka) for the mixed-cluster
# tests. argv: bootstrap topic prefix. Produces "<prefix><n>" records, n = 0, 1, ..., until
# its stdin closes, then flushes. Prints one line per delivery report:
#   ACK <partition> <offset> <value>    the broker acknowledged the record at that offset
#   ERR <value> <error>                 the record was not acknowledged
# and "DONE <produced>" after the flush. Idempotent: a retry never duplicates a record.
import sys
import threading
import time

from confluent_kafka import Producer

bootstrap, topic, prefix = sys.argv[1], sys.argv[2], sys.argv[3]
stop = threading.Event()


def watch_stdin():
    sys.stdin.read()
    stop.set()


threading.Thread(target=watch_stdin, daemon=True).start()

producer = Producer({
    'bootstrap.servers': bootstrap,
    'acks': 'all',
    'enable.idempotence': True,
    'linger.ms': 5,
    # Never give up on a record while leaders move: a test reports what was acknowledged.
    'message.timeout.ms': 600000,
    'topic.metadata.refresh.interval.ms': 2000,
})


def report(err, msg):
    value = msg.value().decode()
    if err is not None:
        print(f'ERR {value} {err}', flush=True)
    else:
        print(f'ACK {msg.partition()} {msg.offset()} {value}', flush=True)


n = 0
while not stop.is_set():
    try:
        producer.produce(topic, value=f'{prefix}{n}'.encode(), on_delivery=report)
        n += 1
    except BufferError:
        pass
    producer.poll(0.01)
left = producer.flush(120)
print(f'DONE {n} {left}', flush=True)
