// Bundles src/ into one CommonJS file so `kts` starts fast (one module to load, no TS at run time).
// Most dependencies stay external (installed packages, several of them native); yargs and
// chalk, which every command loads, are bundled. Native codec/CRC packages are loaded
// lazily: a command that never compresses or checks a CRC (topics --list, --help) does not
// pay for dlopen-ing them at start. ora is imported only when a spinner shows (cli/util/tty).
import { build } from 'esbuild';
import { cpSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
// Plain-JS dependencies every command loads are bundled too: one file to compile instead of a
// module graph to resolve and read.
const BUNDLED = ['yargs', 'chalk'];
const LAZY_NATIVE = ['snappy', 'lz4-napi', '@node-rs/crc32'];
const requireHere = createRequire(import.meta.url);

/** A stand-in module per native package: each export loads the package on first call. */
function lazyModule(name) {
  const exported = Object.keys(requireHere(name)).filter((k) => typeof requireHere(name)[k] === 'function' && /^[A-Za-z_$][\w$]*$/.test(k));
  const lines = [
    "import { createRequire } from 'node:module';",
    `let loaded;`,
    `const load = () => (loaded ??= createRequire(import.meta.url)(${JSON.stringify(name)}));`,
  ];
  for (const k of exported) {
    lines.push(`export function ${k}(...args) { const f = load().${k}; return new.target ? new f(...args) : f(...args); }`);
  }
  return lines.join('\n');
}

const lazyNative = {
  name: 'lazy-native',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_NATIVE.map((n) => n.replace(/[/\\-]/g, '\\$&')).join('|')})$`);
    b.onResolve({ filter }, (args) => (args.namespace === 'lazy-native' ? undefined : { path: args.path, namespace: 'lazy-native' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-native' }, (args) => ({ contents: lazyModule(args.path), loader: 'js' }));
  },
};

/**
 * string-width (used by yargs only to lay out --help) creates an Intl.Segmenter and Unicode
 * property regexes (\\p{RGI_Emoji} with /v is huge) when it loads: ~30 ms of every start.
 * They are created on first use instead: the segmenter behind a getter, each such regex
 * behind an object with RegExp's methods and protocol symbols. Lines that do not look as
 * expected are left alone.
 */
const LAZY_REGEX = `const __ktsLazyRegex = (source, flags) => {
  let re;
  const get = () => (re ??= new RegExp(source, flags));
  return {
    test: (s) => get().test(s),
    exec: (s) => get().exec(s),
    [Symbol.match]: (s) => get()[Symbol.match](s),
    [Symbol.matchAll]: (s) => get()[Symbol.matchAll](s),
    [Symbol.search]: (s) => get()[Symbol.search](s),
    [Symbol.replace]: (s, r) => get()[Symbol.replace](s, r),
    [Symbol.split]: (s, l) => get()[Symbol.split](s, l),
  };
};
`;

function lazyStringWidthSource(text) {
  let out = text.replace(
    /const (\w+) = new Intl\.Segmenter\(\);/,
    'const $1 = (() => { let real; return { segment: (s) => (real ??= new Intl.Segmenter()).segment(s) }; })();',
  );
  let regexes = 0;
  out = out.replace(/^const (\w+) = \/(.*\\p\{.*)\/([a-z]*);$/gm, (line, name, pattern, flags) => {
    if (/`|\$\{/.test(pattern)) return line;
    regexes++;
    return `const ${name} = __ktsLazyRegex(String.raw\`${pattern}\`, '${flags}');`;
  });
  return regexes > 0 ? LAZY_REGEX + out : out;
}

const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, (args) => ({ contents: lazyStringWidthSource(readFileSync(args.path, 'utf8')), loader: 'js' }));
  },
};

await build({
  entryPoints: ['src/cli/entry.ts'],
  // CommonJS, so bin/kts.js can run it through V8's code cache (vm.Script cachedData);
  // Node 20 has no compile cache for ES modules.
  outfile: 'dist/kts.cjs',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Node 20 has /v and \p{...} regexes; lowered to `new RegExp(...)` they would be parsed at
  // every start (string-width's emoji regex alone costs ~20 ms), as literals only when used.
  supported: { 'regexp-set-notation': true, 'regexp-unicode-property-escapes': true },
  sourcemap: true,
  // Whitespace only (names stay, for error names and stack traces): less source for V8 to
  // parse when the code cache is cold.
  minifyWhitespace: true,
  external: Object.keys(pkg.dependencies ?? {}).filter((d) => !BUNDLED.includes(d)),
  plugins: [lazyNative, lazyStringWidth],
  define: { 'import.meta.url': '__ktsModuleUrl', 'import.meta.resolve': '__ktsResolve' },
  banner: { js: "const __ktsModuleUrl = require('node:url').pathToFileURL(__filename).href; const __ktsResolve = (s) => require('node:url').pathToFileURL(require.resolve(s)).href;" },
  logLevel: 'warning',
});

// The console's page (kts ui): served from dist/ui/ next to the bundle (uPlot comes from its package).
cpSync(new URL('../src/ui/assets/', import.meta.url), new URL('../dist/ui/', import.meta.url), { recursive: true });
