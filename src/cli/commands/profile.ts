/**
 * `kts profile`: named connection profiles, like rpk's and kafkactl's contexts. A command
 * without --bootstrap-server or --data-dir uses $KTS_BOOTSTRAP_SERVER, else the profile in
 * effect ($KTS_PROFILE, else the one `kts profile use` chose), else the local data dir.
 */
import { resolve } from 'node:path';
import type { CommandSpec } from '../command.js';
import { jsonOption } from '../options/common.js';
import { parseBootstrap } from '../../client/client.js';
import { UsageError } from '../../util/errors.js';
import { activeProfile, profilesPath, readProfiles, writeProfiles, type Profile } from '../util/profiles.js';

const ACTIONS = ['create', 'use', 'list', 'show', 'delete'] as const;

export const profileCommand: CommandSpec = {
  name: 'profile',
  summary: 'Named connection profiles: create, use, list, show, delete',
  description: [
    'A profile names a cluster: its bootstrap servers and, optionally, a client properties file. Commands given neither --bootstrap-server nor --data-dir connect to $KTS_BOOTSTRAP_SERVER when set, else to the profile in effect ($KTS_PROFILE, else the one chosen with `kts profile use`), else use the local data dir.',
    'Profiles are kept in ${XDG_CONFIG_HOME:-~/.config}/kts/profiles.json. `kts profile use --none` goes back to the local data dir.',
  ].join('\n\n'),
  positionals: [
    { name: 'action', describe: `One of: ${ACTIONS.join(', ')}`, type: 'string' },
    { name: 'name', describe: 'The profile name (create, use, show, delete).', type: 'string', optional: true },
  ],
  options: {
    'bootstrap-server': { type: 'string', placeholder: '<host:port,...>', describe: 'create: the brokers of the profile.' },
    'command-config': { type: 'string', placeholder: '<file>', describe: 'create: a client properties file the profile uses when a command names none.' },
    none: { type: 'boolean', describe: 'use: no current profile (commands use the local data dir).' },
    ...jsonOption,
  },
  examples: [
    ['kts profile create prod --bootstrap-server kafka1:9092,kafka2:9092', 'name a cluster'],
    ['kts profile use prod', 'commands now talk to prod without --bootstrap-server'],
    ['KTS_PROFILE=staging kts topics --list', 'one command against another profile'],
    ['kts profile list', 'the profiles, * marks the one in effect'],
  ],
  async run(args, io) {
    const action = String(args.action);
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`Unknown action '${action}'`, `Use one of: ${ACTIONS.join(', ')}`);
    const name = typeof args.name === 'string' ? args.name : undefined;
    const needName = (): string => {
      if (name === undefined || name.trim() === '') throw new UsageError(`kts profile ${action} needs a profile name`);
      return name;
    };
    const store = readProfiles(io.env);
    const print = (text: string, data: unknown): void => {
      io.stdout.write(args.json === true ? JSON.stringify(data) + '\n' : text);
    };
    switch (action) {
      case 'create': {
        const n = needName();
        if (typeof args['bootstrap-server'] !== 'string') throw new UsageError('kts profile create needs --bootstrap-server');
        parseBootstrap(args['bootstrap-server']);
        const profile: Profile = { bootstrapServer: args['bootstrap-server'] };
        if (typeof args['command-config'] === 'string') profile.commandConfig = resolve(io.cwd, args['command-config']);
        const existed = store.profiles[n] !== undefined;
        store.profiles[n] = profile;
        writeProfiles(io.env, store);
        print(`${existed ? 'Updated' : 'Created'} profile ${n} (${profile.bootstrapServer}) in ${profilesPath(io.env)}.\n`, { name: n, ...profile });
        return 0;
      }
      case 'use': {
        if (args.none === true) {
          store.current = null;
          writeProfiles(io.env, store);
          print('No current profile: commands use the local data dir.\n', { current: null });
          return 0;
        }
        const n = needName();
        if (!store.profiles[n]) throw new UsageError(`Profile '${n}' does not exist`, 'Create it with kts profile create NAME --bootstrap-server HOST:PORT');
        store.current = n;
        writeProfiles(io.env, store);
        print(`Using profile ${n} (${store.profiles[n].bootstrapServer}).\n`, { current: n });
        return 0;
      }
      case 'list': {
        const active = activeProfile(io.env)?.name ?? null;
        const names = Object.keys(store.profiles).sort();
        const rows = names.map((n) => `${n === active ? '*' : ' '} ${n}\t${store.profiles[n]!.bootstrapServer}\n`).join('');
        print(rows, { current: active, profiles: names.map((n) => ({ name: n, ...store.profiles[n] })) });
        return 0;
      }
      case 'show': {
        const n = name ?? activeProfile(io.env)?.name;
        if (n === undefined) throw new UsageError('No profile in effect', 'Name one: kts profile show NAME');
        const p = store.profiles[n];
        if (!p) throw new UsageError(`Profile '${n}' does not exist`);
        print(`name: ${n}\nbootstrap.servers: ${p.bootstrapServer}\n${p.commandConfig ? `command-config: ${p.commandConfig}\n` : ''}`, { name: n, ...p });
        return 0;
      }
      default: {
        const n = needName();
        if (!store.profiles[n]) throw new UsageError(`Profile '${n}' does not exist`);
        delete store.profiles[n];
        if (store.current === n) store.current = null;
        writeProfiles(io.env, store);
        print(`Deleted profile ${n}.\n`, { deleted: n });
        return 0;
      }
    }
  },
};
