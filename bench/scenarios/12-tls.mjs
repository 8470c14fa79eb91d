// Scenario 12: produce throughput over TLS. One broker with PLAINTEXT, SSL and SASL_SSL
// (PLAIN) listeners side by side; kcat -P sends the same 100-byte lines (acks=1, linger.ms=5,
// batch.size=1000000) to each, three rounds alternating the listeners so load changes hit
// all alike; medians are compared with PLAINTEXT measured in the same run, as throughput and
// as the broker's own CPU time per million records (all its threads, from /proc schedstat:
// the figure to read on a loaded machine, where wall-clock throughput is noise).
// Certificates are made with openssl in the work dir.
import { execFileSync } from 'node:child_process';
import { writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpuMs, freePort, kts, median, runOk, startBroker } from '../lib/proc.mjs';
import { fmt, ratio } from '../lib/results.mjs';

export const name = 'produce over TLS';

const KCAT_TUNING = ['-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'acks=1'];

function makeCerts(dir) {
  const ssl = (args) => execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=kts bench ca']);
  ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost']);
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  ssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext']);
  writeFileSync(join(dir, 'server.pem'), readFileSync(join(dir, 'server.key'), 'utf8') + readFileSync(join(dir, 'server.crt'), 'utf8'));
  return { ca: join(dir, 'ca.crt'), pem: join(dir, 'server.pem') };
}

export async function run(ctx) {
  const { lines, count } = ctx.lines100;
  const certs = makeCerts(ctx.work);
  const sslPort = await freePort();
  const saslPort = await freePort();
  const b = await startBroker(ctx.work, (port) => [
    `listeners=PLAINTEXT://127.0.0.1:${port},SSL://127.0.0.1:${sslPort},SASL_SSL://127.0.0.1:${saslPort}`,
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${certs.pem}`,
    'sasl.enabled.mechanisms=PLAIN',
    'listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_bench="bench-secret";',
  ]);
  const tls = ['-X', `ssl.ca.location=${certs.ca}`];
  const variants = [
    { name: 'PLAINTEXT', port: b.port, args: [] },
    { name: 'SSL', port: sslPort, args: ['-X', 'security.protocol=SSL', ...tls] },
    { name: 'SASL_SSL', port: saslPort, args: ['-X', 'security.protocol=SASL_SSL', ...tls, '-X', 'sasl.mechanism=PLAIN', '-X', 'sasl.username=bench', '-X', 'sasl.password=bench-secret'] },
  ];
  const ms = new Map(variants.map((v) => [v.name, []]));
  const cpu = new Map(variants.map((v) => [v.name, []]));
  try {
    for (let round = 0; round < 3; round++) {
      for (const v of variants) {
        const topic = `tls-${v.name.toLowerCase()}-${round}`;
        await kts(['topics', '--create', '--topic', topic, '--partitions', '1', '--bootstrap-server', b.bootstrap]);
        const cpu0 = cpuMs(b.child.pid);
        const r = await runOk('kcat', ['-P', '-b', `127.0.0.1:${v.port}`, '-t', topic, ...v.args, ...KCAT_TUNING], { input: lines, capture: false });
        ms.get(v.name).push(r.ms);
        cpu.get(v.name).push(((cpuMs(b.child.pid) - cpu0) * 1_000_000) / count);
      }
    }
  } finally {
    await b.stop();
  }
  const recs = (name) => count / (median(ms.get(name)) / 1000);
  const cpuPerM = (name) => median(cpu.get(name));
  const plain = recs('PLAINTEXT');
  ctx.log(`kcat -P: PLAINTEXT ${fmt(plain)}, SSL ${fmt(recs('SSL'))}, SASL_SSL ${fmt(recs('SASL_SSL'))} rec/s (medians of 3)`);
  ctx.log(`broker CPU per 1M records: PLAINTEXT ${fmt(cpuPerM('PLAINTEXT'))} ms, SSL ${fmt(cpuPerM('SSL'))} ms, SASL_SSL ${fmt(cpuPerM('SASL_SSL'))} ms (medians of 3)`);
  return ['SSL', 'SASL_SSL'].flatMap((name) => [
    {
      scenario: `12 produce 100 B over ${name}, kcat -P acks=1 (median of 3)`,
      figure: `${fmt(recs(name))} rec/s`,
      reference: `same broker over PLAINTEXT, same run: ${fmt(plain)} rec/s`,
      ratio: ratio(recs(name), plain),
      target: '—',
      met: '—',
    },
    {
      scenario: `12 broker CPU per 1M records over ${name} (median of 3; a time: ratio = PLAINTEXT / this)`,
      figure: `${fmt(cpuPerM(name))} ms`,
      reference: `same broker over PLAINTEXT, same run: ${fmt(cpuPerM('PLAINTEXT'))} ms`,
      ratio: ratio(cpuPerM('PLAINTEXT'), cpuPerM(name)),
      target: '—',
      met: '—',
    },
  ]);
}
