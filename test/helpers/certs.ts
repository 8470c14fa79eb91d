// A CA, a broker certificate (localhost / 127.0.0.1) and a client certificate made with the
// real `openssl` in a temp dir at test time; also a PKCS12 keystore and an expired certificate.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCerts {
  dir: string;
  caCert: string;
  /** Key + chain in one PEM file, as ssl.keystore.type=PEM with ssl.keystore.location wants. */
  serverPem: string;
  serverKey: string;
  serverCert: string;
  serverP12: string;
  p12Password: string;
  clientKey: string;
  clientCert: string;
  clientPem: string;
  /** A key + certificate whose validity ended in 2020. */
  expiredPem: string;
  /** A client certificate signed by a CA the broker does not trust. */
  strangerPem: string;
}

const run = (dir: string, args: string[]): void => {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
};

function signed(dir: string, name: string, subject: string, ca: string, ext?: string): void {
  run(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  const args = ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`, '-CAcreateserial', '-out', `${name}.crt`, '-days', '2'];
  if (ext) {
    writeFileSync(join(dir, `${name}.ext`), ext);
    args.push('-extfile', `${name}.ext`);
  }
  run(dir, args);
  writeFileSync(join(dir, `${name}.pem`), readFileSync(join(dir, `${name}.key`), 'utf8') + readFileSync(join(dir, `${name}.crt`), 'utf8'));
}

export function makeCerts(t: { teardown(fn: () => unknown): void }): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'kts-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const ca of ['ca', 'stranger-ca']) {
    run(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${ca}.key`, '-out', `${ca}.crt`, '-days', '2', '-subj', `/CN=kts test ${ca}`]);
  }
  signed(dir, 'server', '/CN=localhost/O=kts', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  // Issuer-first order, as most CAs write it: Java (RFC 2253) prints it CN=client1,OU=test,O=kts.
  signed(dir, 'client', '/O=kts/OU=test/CN=client1', 'ca');
  signed(dir, 'stranger', '/CN=stranger', 'stranger-ca');
  run(dir, ['pkcs12', '-export', '-in', 'server.crt', '-inkey', 'server.key', '-out', 'server.p12', '-passout', 'pass:p12-secret']);
  // An expired certificate: `openssl ca` takes explicit dates.
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    `[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nserial=serial\nnew_certs_dir=.\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n`,
  );
  run(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=expired']);
  run(dir, ['ca', '-batch', '-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-in', 'expired.csr', '-out', 'expired.crt', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-notext']);
  writeFileSync(join(dir, 'expired.pem'), readFileSync(join(dir, 'expired.key'), 'utf8') + readFileSync(join(dir, 'expired.crt'), 'utf8'));
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    caCert: p('ca.crt'),
    serverPem: p('server.pem'),
    serverKey: p('server.key'),
    serverCert: p('server.crt'),
    serverP12: p('server.p12'),
    p12Password: 'p12-secret',
    clientKey: p('client.key'),
    clientCert: p('client.crt'),
    clientPem: p('client.pem'),
    expiredPem: p('expired.pem'),
    strangerPem: p('stranger.pem'),
  };
}

export interface Pkcs12Stores {
  password: string;
  /** Truststores holding the CA of `makeCerts`, certificates only (no key). */
  truststores: { name: string; path: string }[];
  /** The server key and chain as `openssl pkcs12 -export -legacy` writes it (RC2-40 certificates, 3DES key). */
  legacyServerKeystore: string;
  /** The client key and certificate as a modern PKCS12 keystore (AES-256, PBKDF2). */
  clientKeystore: string;
  /** The expired certificate and its key as PKCS12. */
  expiredKeystore: string;
}

/** `keytool` of the installed JDK, or undefined: the keytool-made stores are then left out. */
export function findKeytool(): string | undefined {
  const home = process.env.JAVA_HOME;
  for (const candidate of [...(home ? [join(home, 'bin', 'keytool')] : []), 'keytool']) {
    try {
      execFileSync(candidate, ['-help'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // not this one
    }
  }
  return undefined;
}

/**
 * PKCS12 stores made by the real tools: truststores by OpenSSL 3 (default and `-legacy`) and,
 * when a JDK is installed, by keytool -importcert -storetype PKCS12 (Java 17's AES-256
 * defaults, and Java 8's RC2-40 / HmacPBESHA1 ones).
 */
export function makePkcs12Stores(certs: TestCerts, keytool = findKeytool()): Pkcs12Stores {
  const dir = certs.dir;
  const password = 'trust-secret';
  const p = (f: string): string => join(dir, f);
  run(dir, ['pkcs12', '-export', '-nokeys', '-in', 'ca.crt', '-out', 'trust-openssl.p12', '-passout', `pass:${password}`]);
  run(dir, ['pkcs12', '-export', '-nokeys', '-legacy', '-in', 'ca.crt', '-out', 'trust-openssl-legacy.p12', '-passout', `pass:${password}`]);
  const truststores = [
    { name: 'openssl', path: p('trust-openssl.p12') },
    { name: 'openssl -legacy', path: p('trust-openssl-legacy.p12') },
  ];
  if (keytool) {
    const importCert = (file: string, extra: string[]): void => {
      execFileSync(keytool, ['-importcert', '-noprompt', '-storetype', 'PKCS12', '-keystore', p(file), '-storepass', password, '-alias', 'ca', '-file', p('ca.crt'), ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
    };
    importCert('trust-keytool.p12', []);
    importCert('trust-keytool-java8.p12', ['-J-Dkeystore.pkcs12.certProtectionAlgorithm=PBEWithSHA1AndRC2_40', '-J-Dkeystore.pkcs12.macAlgorithm=HmacPBESHA1']);
    truststores.push({ name: 'keytool', path: p('trust-keytool.p12') }, { name: 'keytool, Java 8 algorithms', path: p('trust-keytool-java8.p12') });
  }
  run(dir, ['pkcs12', '-export', '-legacy', '-in', 'server.crt', '-inkey', 'server.key', '-certfile', 'ca.crt', '-out', 'server-legacy.p12', '-passout', `pass:${password}`]);
  run(dir, ['pkcs12', '-export', '-in', 'client.crt', '-inkey', 'client.key', '-out', 'client.p12', '-passout', `pass:${password}`]);
  run(dir, ['pkcs12', '-export', '-in', 'expired.crt', '-inkey', 'expired.key', '-out', 'expired.p12', '-passout', `pass:${password}`]);
  return { password, truststores, legacyServerKeystore: p('server-legacy.p12'), clientKeystore: p('client.p12'), expiredKeystore: p('expired.p12') };
}

/** Another certificate signed by the test CA (key + chain in `<name>.pem`), e.g. one naming another host. */
export function makeSignedCert(certs: TestCerts, name: string, subject: string, subjectAltName?: string): string {
  signed(certs.dir, name, subject, 'ca', subjectAltName ? `subjectAltName=${subjectAltName}\n` : undefined);
  return join(certs.dir, `${name}.pem`);
}
