// Writes man/kts*.1 and completions/kts.{bash,zsh,fish} from the command specs (`npm run docs`).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commands } from '../src/cli/registry.js';
import { generateDocs, undocumentedOptions } from '../src/cli/util/docs.js';
import { KTS_VERSION } from '../src/util/version.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const missing = undocumentedOptions(commands);
if (missing.length > 0) {
  process.stderr.write(`gen-docs: flags without a description:\n  ${missing.join('\n  ')}\n`);
  process.exit(1);
}
const files = generateDocs(commands, KTS_VERSION);
// Remove pages of commands that no longer exist.
mkdirSync(join(root, 'man'), { recursive: true });
for (const f of readdirSync(join(root, 'man'))) if (!files.has(`man/${f}`)) rmSync(join(root, 'man', f));
for (const [path, text] of files) {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}
process.stdout.write(`gen-docs: wrote ${files.size} files\n`);
