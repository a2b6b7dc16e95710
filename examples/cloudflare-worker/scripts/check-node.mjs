// Run before wrangler by `npm run dev` / `npm run deploy`: wrangler needs a newer Node than many
// machines have, and on an older one it fails late or with a message about itself. Fail early
// instead, with the version from package.json "engines". Plain syntax: it must run on old Node too.
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const wanted = String((pkg.engines && pkg.engines.node) || '');
const min = /(\d+)\.(\d+)\.(\d+)/.exec(wanted);
const have = process.versions.node.split('.').map(Number);
if (min) {
  const need = min.slice(1, 4).map(Number);
  let older = false;
  for (let i = 0; i < 3; i++) {
    if (have[i] !== need[i]) {
      older = have[i] < need[i];
      break;
    }
  }
  if (older) {
    const script = process.env.npm_lifecycle_event || 'dev';
    console.error(
      `wrangler needs Node.js >= ${need.join('.')}; this is Node.js ${process.version}.\n` +
        `Install Node.js 22.12 or newer (for example \`nvm install 22\` or \`volta install node@22\`), then run \`npm run ${script}\` again.`,
    );
    process.exit(1);
  }
}
