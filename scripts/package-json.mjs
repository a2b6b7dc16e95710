// Prints pkg/package.json: the published npm package, versioned from Cargo.toml.
import { readFileSync } from 'node:fs';

const cargo = readFileSync(new URL('../Cargo.toml', import.meta.url), 'utf8');
const field = (name) => cargo.match(new RegExp(`^${name} = "(.*)"`, 'm'))?.[1];

const pkg = {
  name: 'cometapi-responses',
  version: field('version'),
  description: field('description'),
  license: field('license'),
  repository: { type: 'git', url: field('repository') },
  keywords: ['openai', 'responses', 'cometapi', 'sse', 'streaming', 'wasm', 'cloudflare-workers'],
  type: 'module',
  engines: { node: '>=20' },
  types: './index.d.ts',
  main: './node.js',
  module: './browser.js',
  exports: {
    '.': {
      types: './index.d.ts',
      workerd: './workerd.js',
      worker: './browser.js',
      node: './node.js',
      browser: './browser.js',
      default: './browser.js',
    },
    './web': { types: './index.d.ts', default: './web.js' },
    './cometapi_responses_bg.wasm': './cometapi_responses_bg.wasm',
    './package.json': './package.json',
  },
  files: ['*.js', '*.d.ts', '*.wasm', 'README.md'],
  sideEffects: ['./node.js', './browser.js', './workerd.js'],
};
process.stdout.write(JSON.stringify(pkg, null, 2) + '\n');
