/**
 * JAAS configuration as Kafka reads it from `sasl.jaas.config` (client) and
 * `listener.name.<l>.<mechanism>.sasl.jaas.config` (broker): one login module entry,
 * `<class> <flag> key="value" key=value ... ;`. Values may be quoted (with `\"` and `\\`
 * escapes) or bare tokens. Syntax errors name the position and what was expected.
 */
import { KtsError } from '../../util/errors.js';

export interface JaasEntry {
  loginModule: string;
  controlFlag: 'required' | 'requisite' | 'sufficient' | 'optional';
  options: Map<string, string>;
}

const FLAGS = ['required', 'requisite', 'sufficient', 'optional'] as const;

/** Kafka's login module class for each SASL mechanism. */
export const LOGIN_MODULES: Readonly<Record<string, string>> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};

export function parseJaasConfig(text: string, key = 'sasl.jaas.config'): JaasEntry {
  let pos = 0;
  const fail = (what: string): never => {
    throw new KtsError(
      'KTS_CONFIG',
      `${key}: invalid JAAS configuration at character ${pos + 1}: ${what}.`,
      'Expected: <LoginModule class> required key="value" ...; e.g. org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";',
    );
  };
  const skipSpace = (): void => {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
  };
  const token = (): string => {
    skipSpace();
    const start = pos;
    while (pos < text.length && /[^\s=;"]/.test(text[pos]!)) pos++;
    return text.slice(start, pos);
  };
  const quoted = (): string => {
    pos++; // opening quote
    let out = '';
    while (pos < text.length && text[pos] !== '"') {
      if (text[pos] === '\\' && pos + 1 < text.length) pos++;
      out += text[pos++];
    }
    if (pos >= text.length) fail('a quoted value is not closed');
    pos++;
    return out;
  };

  const loginModule = token();
  if (loginModule === '') fail('the login module class is missing');
  const flag = token().toLowerCase();
  if (!(FLAGS as readonly string[]).includes(flag)) fail(`the control flag must be one of ${FLAGS.join(', ')}, not '${flag}'`);
  const options = new Map<string, string>();
  for (;;) {
    skipSpace();
    if (pos >= text.length) fail("the entry must end with ';'");
    if (text[pos] === ';') break;
    const name = token();
    if (name === '') fail(`unexpected character '${text[pos]}'`);
    skipSpace();
    if (text[pos] !== '=') fail(`option '${name}' has no '=value'`);
    pos++;
    skipSpace();
    const value = text[pos] === '"' ? quoted() : token();
    options.set(name, value);
  }
  pos++;
  skipSpace();
  if (pos < text.length) fail('only one login module entry is allowed');
  return { loginModule, controlFlag: flag as JaasEntry['controlFlag'], options };
}

/** Checks that the entry's login module is the one Kafka uses for `mechanism`. */
export function checkLoginModule(entry: JaasEntry, mechanism: string, key: string): void {
  const expected = LOGIN_MODULES[mechanism];
  if (expected && entry.loginModule !== expected) {
    throw new KtsError('KTS_CONFIG', `${key}: login module ${entry.loginModule} does not serve SASL mechanism ${mechanism}.`, `Use ${expected}.`);
  }
}
