/**
 * Man pages and shell completions generated from the command specs in the registry, so
 * every flag is documented in one place. `npm run docs` writes the files; a test fails
 * when they are stale or when a flag lacks a description. Output is deterministic (no
 * dates) so regenerating an unchanged registry changes nothing.
 */
import type { CommandSpec, OptionSpec } from '../command.js';

/** path relative to the repo root → file contents. */
export type GeneratedFiles = Map<string, string>;

export function generateDocs(specs: readonly CommandSpec[], version: string): GeneratedFiles {
  const files: GeneratedFiles = new Map();
  files.set('man/kts.1', overviewPage(specs, version));
  for (const s of specs) files.set(`man/kts-${s.name}.1`, manPage(s, version));
  files.set('completions/kts.bash', bashCompletion(specs));
  files.set('completions/kts.zsh', zshCompletion(specs));
  files.set('completions/kts.fish', fishCompletion(specs));
  return files;
}

/** Flags without a description, as `command --flag`: the docs test wants none. */
export function undocumentedOptions(specs: readonly CommandSpec[]): string[] {
  const out: string[] = [];
  for (const s of specs) {
    if (!s.summary.trim()) out.push(`${s.name} (summary)`);
    for (const [name, o] of Object.entries(s.options)) if (!o.describe || !o.describe.trim()) out.push(`${s.name} --${name}`);
    for (const p of s.positionals ?? []) if (!p.describe.trim()) out.push(`${s.name} <${p.name}>`);
  }
  return out;
}

// ---- man pages (roff) ----

function roff(text: string): string {
  return text
    .replace(/\\/g, '\\e')
    .replace(/-/g, '\\-')
    .split('\n')
    .map((l) => (/^[.']/.test(l) ? `\\&${l}` : l))
    .join('\n');
}

function placeholderOf(name: string, o: OptionSpec): string {
  if (o.type === 'boolean') return '';
  if (o.placeholder) return o.placeholder;
  if (o.choices) return `<${o.choices.join('|')}>`;
  return `<${name}>`;
}

function optionSynopsis(name: string, o: OptionSpec): string {
  const names = [`--${name}`, ...aliasList(o).map((a) => (a.length === 1 ? `-${a}` : `--${a}`))];
  const ph = placeholderOf(name, o);
  return names.map((n) => `\\fB${roff(n)}\\fR${ph ? ` \\fI${roff(ph)}\\fR` : ''}`).join(', ');
}

function aliasList(o: OptionSpec): string[] {
  if (o.alias === undefined) return [];
  return typeof o.alias === 'string' ? [o.alias] : [...o.alias];
}

function optionBody(o: OptionSpec): string {
  let text = o.describe;
  if (o.choices && !o.placeholder) text += ` One of: ${o.choices.join(', ')}.`;
  if (o.default !== undefined) text += ` Default: ${String(o.default)}.`;
  if (o.bareValue !== undefined) text += ` Given without a value: ${o.bareValue}.`;
  if (o.deprecated) text += ` (${o.deprecated})`;
  return roff(text);
}

function header(title: string, version: string): string {
  return `.TH ${title} 1 "" "kts ${version}" "kts manual"\n`;
}

export function manPage(s: CommandSpec, version: string): string {
  const out: string[] = [header(`KTS\\-${roff(s.name).toUpperCase()}`, version)];
  out.push('.SH NAME', `kts\\-${roff(s.name)} \\- ${roff(s.summary)}`);
  out.push('.SH SYNOPSIS', `\\fBkts ${roff(s.name)}\\fR [\\fIoptions\\fR]${(s.positionals ?? []).map((p) => ` \\fI${roff(p.name)}\\fR`).join('')}`);
  out.push('.SH DESCRIPTION');
  out.push(roff(s.summary + '.'));
  if (s.mirrors) out.push('.PP', roff(`Mirrors Apache Kafka's ${s.mirrors}: the same options and output formats.`));
  for (const para of (s.description ?? '').split(/\n\n+/).filter((p) => p.trim())) out.push('.PP', roff(para));
  if ((s.positionals ?? []).length > 0) {
    out.push('.SH ARGUMENTS');
    for (const p of s.positionals ?? []) out.push('.TP', `\\fI${roff(p.name)}\\fR`, roff(p.describe));
  }
  out.push('.SH OPTIONS');
  for (const [name, o] of Object.entries(s.options)) out.push('.TP', optionSynopsis(name, o), optionBody(o));
  out.push('.TP', '\\fB\\-h\\fR, \\fB\\-\\-help\\fR', 'Show help and exit.');
  if (s.examples.length > 0) {
    out.push('.SH EXAMPLES');
    for (const [cmd, why] of s.examples) out.push('.TP', `\\fB${roff(cmd)}\\fR`, roff(why.charAt(0).toUpperCase() + why.slice(1) + '.'));
  }
  out.push('.SH ENVIRONMENT', '.TP', '\\fBKTS_DATA_DIR\\fR', 'Local data dir used when neither \\fB\\-\\-bootstrap\\-server\\fR nor \\fB\\-\\-data\\-dir\\fR is given.', '.TP', '\\fBNO_COLOR\\fR', 'Disables colour.');
  out.push('.SH EXIT STATUS', '0 on success, 1 on an error, 2 on a usage error.');
  out.push('.SH SEE ALSO', '\\fBkts\\fR(1)');
  return out.join('\n') + '\n';
}

function overviewPage(specs: readonly CommandSpec[], version: string): string {
  const out: string[] = [header('KTS', version)];
  out.push('.SH NAME', "kts \\- Apache Kafka's broker and shell tools in one binary");
  out.push('.SH SYNOPSIS', '\\fBkts\\fR \\fIcommand\\fR [\\fIoptions\\fR]');
  out.push('.SH DESCRIPTION', roff('kts speaks the Kafka wire protocol to a broker given by --bootstrap-server, or opens the local data dir (--data-dir, $KTS_DATA_DIR, else ${XDG_DATA_HOME:-~/.local/share}/kts/data).'));
  out.push('.SH COMMANDS');
  for (const s of specs) out.push('.TP', `\\fBkts ${roff(s.name)}\\fR`, roff(s.summary + (s.mirrors ? ` (${s.mirrors})` : '') + '.'));
  out.push('.SH SEE ALSO', specs.map((s) => `\\fBkts\\-${roff(s.name)}\\fR(1)`).join(', '));
  return out.join('\n') + '\n';
}

// ---- completions ----

function takesFile(name: string, o: OptionSpec): boolean {
  return o.type !== 'boolean' && /file|config$|dir/.test(`${name} ${o.placeholder ?? ''}`) && !/property/.test(name);
}

function flagWords(o: OptionSpec, name: string): string[] {
  return [`--${name}`, ...aliasList(o).map((a) => (a.length === 1 ? `-${a}` : `--${a}`))];
}

export function bashCompletion(specs: readonly CommandSpec[]): string {
  const lines: string[] = [
    '# bash completion for kts (generated by `npm run docs`; do not edit)',
    '_kts() {',
    '  local cur prev cmd',
    '  cur="${COMP_WORDS[COMP_CWORD]}"',
    '  prev="${COMP_WORDS[COMP_CWORD-1]}"',
    '  cmd="${COMP_WORDS[1]}"',
    '  if [[ $COMP_CWORD -eq 1 ]]; then',
    `    COMPREPLY=( $(compgen -W "${specs.map((s) => s.name).join(' ')} --help --version" -- "$cur") )`,
    '    return',
    '  fi',
    '  case "$cmd:$prev" in',
  ];
  for (const s of specs) {
    for (const [name, o] of Object.entries(s.options)) {
      const words = flagWords(o, name).map((w) => `${s.name}:${w}`).join('|');
      if (o.choices) lines.push(`    ${words}) COMPREPLY=( $(compgen -W "${o.choices.join(' ')}" -- "$cur") ); return ;;`);
      else if (takesFile(name, o)) lines.push(`    ${words}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;`);
      else if (o.type !== 'boolean') lines.push(`    ${words}) return ;;`);
    }
  }
  lines.push('  esac', '  local opts=""', '  case "$cmd" in');
  for (const s of specs) {
    const words = Object.entries(s.options).flatMap(([n, o]) => flagWords(o, n));
    lines.push(`    ${s.name}) opts="${[...words, '--help'].join(' ')}" ;;`);
  }
  lines.push('  esac', '  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )', '}', 'complete -F _kts kts', '');
  return lines.join('\n');
}

function zshQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function zshDesc(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1');
}

export function zshCompletion(specs: readonly CommandSpec[]): string {
  const lines: string[] = ['#compdef kts', '# zsh completion for kts (generated by `npm run docs`; do not edit)', '', '_kts() {', '  local -a commands', '  commands=('];
  for (const s of specs) lines.push(`    ${zshQuote(`${s.name}:${s.summary.replace(/:/g, '\\:')}`)}`);
  lines.push('  )', '  if (( CURRENT == 2 )); then', "    _describe 'command' commands", '    return', '  fi', '  local cmd=$words[2]', '  shift words', '  (( CURRENT-- ))', '  case $cmd in');
  for (const s of specs) {
    lines.push(`    ${s.name})`, '      _arguments \\');
    for (const [name, o] of Object.entries(s.options)) {
      const desc = zshDesc(o.describe);
      let action = '';
      if (o.choices) action = `:${name}:(${o.choices.join(' ')})`;
      else if (takesFile(name, o)) action = `:${name}:_files`;
      else if (o.type !== 'boolean') action = `:${name}: `;
      const repeat = o.type === 'array' ? '*' : '';
      for (const flag of flagWords(o, name)) lines.push(`        ${zshQuote(`${repeat}${flag}[${desc}]${action}`)} \\`);
    }
    lines.push(`        '(-h --help)'{-h,--help}'[Show help]'`, '      ;;');
  }
  lines.push('  esac', '}', '', '_kts "$@"', '');
  return lines.join('\n');
}

function fishQuote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export function fishCompletion(specs: readonly CommandSpec[]): string {
  const lines: string[] = ['# fish completion for kts (generated by `npm run docs`; do not edit)', 'complete -c kts -f'];
  for (const s of specs) lines.push(`complete -c kts -n __fish_use_subcommand -a ${s.name} -d ${fishQuote(s.summary)}`);
  for (const s of specs) {
    const cond = `'__fish_seen_subcommand_from ${s.name}'`;
    for (const [name, o] of Object.entries(s.options)) {
      const parts = [`complete -c kts -n ${cond} -l ${name}`];
      for (const a of aliasList(o)) parts.push(a.length === 1 ? `-s ${a}` : `-l ${a}`);
      if (o.choices) parts.push(`-x -a ${fishQuote(o.choices.join(' '))}`);
      else if (takesFile(name, o)) parts.push('-r -F');
      else if (o.type !== 'boolean') parts.push('-x');
      parts.push(`-d ${fishQuote(o.describe)}`);
      lines.push(parts.join(' '));
    }
  }
  return lines.join('\n') + '\n';
}
