// A SvelteKit adapter-node app (pinned in tests/runtimes/tools/sveltekit, run on Node 22) bundling the
// package into its server build, run alone: a +server.js route streams the deltas, a page's load renders the text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { BUILD, SECRET, freePort, installTools, packPkg, run, startMock, stopGroup } from './lib.mjs';

const ROUTE = `import { ResponsesClient } from 'cometapi-responses';

export async function GET({ url }) {
  const client = new ResponsesClient({ apiKey: '${SECRET}', baseURL: url.searchParams.get('api') });
  const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from SvelteKit' });
  const encoder = new TextEncoder();
  const body = new ReadableStream({
    async start(controller) {
      try {
        for await (const event of stream) {
          if (event.type === 'response.output_text.delta') controller.enqueue(encoder.encode(event.delta));
        }
        const final = await stream.finalResponse();
        controller.enqueue(encoder.encode('\\n--\\n' + JSON.stringify({ final: final.output_text, status: final.status })));
        controller.close();
      } catch (e) {
        controller.error(e);
      }
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/plain; charset=utf-8' } });
}
`;

const FILES = {
  // SvelteKit 3 takes its configuration in the Vite plugin (no svelte.config.js)
  'vite.config.js':
    "import adapter from '@sveltejs/adapter-node';\nimport { sveltekit } from '@sveltejs/kit/vite';\n" +
    'export default { plugins: [sveltekit({ adapter: adapter() })] };\n',
  'src/app.html':
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">%sveltekit.head%</head>\n<body><div>%sveltekit.body%</div></body></html>\n',
  'src/routes/api/stream/+server.js': ROUTE,
  'src/routes/chat/+page.server.js': `import { ResponsesClient } from 'cometapi-responses';

export async function load({ url }) {
  const client = new ResponsesClient({ apiKey: '${SECRET}', baseURL: url.searchParams.get('api') });
  const stream = client.stream({ model: 'gpt-5.4', input: 'Hello from a SvelteKit load' });
  let text = '';
  let deltas = 0;
  for await (const event of stream) {
    if (event.type === 'response.output_text.delta') {
      text += event.delta;
      deltas++;
    }
  }
  const final = await stream.finalResponse();
  return { report: JSON.stringify({ text, deltas, final: final.output_text, status: final.status }) };
}
`,
  'src/routes/chat/+page.svelte': '<script>\n  let { data } = $props();\n</script>\n\n<pre id="report">{data.report}</pre>\n',
};

let app;
let node22;
let mock;
let out;

before(async () => {
  const [{ tarball, info }, tools] = await Promise.all([packPkg(join(BUILD, 'runtimes', 'sveltekit')), installTools('sveltekit')]);
  app = tools;
  node22 = join(app, 'node_modules', 'node22', 'bin', 'node');
  const target = join(app, 'node_modules', 'cometapi-responses');
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  await run('tar', ['xzf', tarball, '-C', target, '--strip-components=1']);
  // the package as a devDependency, as `npm install -D` writes it
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  manifest.type = 'module';
  manifest.devDependencies['cometapi-responses'] = `^${info.version}`;
  writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
  for (const d of ['src', 'build', '.svelte-kit', 'svelte.config.js']) rmSync(join(app, d), { recursive: true, force: true });
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(app, path)), { recursive: true });
    writeFileSync(join(app, path), text);
  }
  mock = await startMock({ delayMs: 5, requireKey: SECRET });
});

after(async () => {
  await mock?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

test('SvelteKit (adapter-node, devDependency): vite build, the server build run alone streams', async (t) => {
  const { stdout: version } = await run(node22, ['--version']);
  assert.match(version, /^v22\./);
  const { stdout, stderr } = await run(node22, [join(app, 'node_modules', 'vite', 'bin', 'vite.js'), 'build'], {
    cwd: app,
    env: { NO_COLOR: '1', FORCE_COLOR: '0' },
    timeoutMs: 300_000,
  });
  // (the build lists a chunk named error.svelte.js: match warnings and failures, not that name)
  assert.doesNotMatch(stdout + stderr, /\bwarn(ing)?\b|error during|ENOENT|cometapi_responses_bg\.wasm/i, `vite build:\n${stdout}\n${stderr}`);
  out = mkdtempSync(join(tmpdir(), 'cometapi-sveltekit-'));
  cpSync(join(app, 'build'), out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  for (let d = out; d !== parse(d).root; d = dirname(d)) assert.ok(!existsSync(join(d, 'node_modules')), `no node_modules above ${d}`);

  const port = await freePort();
  const child = spawn(node22, ['index.js'], {
    cwd: out,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ORIGIN: `http://127.0.0.1:${port}` },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const url = `http://127.0.0.1:${port}`;
  const api = encodeURIComponent(`${mock.url}/v1`);
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`the server exited:\n${output}`);
      try {
        await fetch(url);
        break;
      } catch {
        if (i > 200) throw new Error(`the server did not answer:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await t.test('+server.js route streams', async () => {
      const res = await fetch(`${url}/api/stream?api=${api}`);
      const body = await res.text();
      assert.equal(res.status, 200, `${body}\n${output}`);
      const [text, report] = body.split('\n--\n');
      const { final, status } = JSON.parse(report);
      assert.equal(status, 'completed');
      assert.ok(text.length > 0);
      assert.equal(text, final);
    });
    await t.test('a page whose server load streams renders the text', async () => {
      const res = await fetch(`${url}/chat?api=${api}`);
      const html = await res.text();
      assert.equal(res.status, 200, `${html.slice(0, 2000)}\n${output}`);
      const raw = html.match(/<pre id="report">([^<]*)<\/pre>/)?.[1];
      assert.ok(raw, html.slice(0, 2000));
      const entities = { '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
      const report = JSON.parse(raw.replace(/&(quot|#39|lt|gt|amp);/g, (m) => entities[m]));
      assert.equal(report.status, 'completed');
      assert.ok(report.deltas >= 3);
      assert.equal(report.text, report.final);
    });
    assert.doesNotMatch(output, /error/i, output);
  } finally {
    await stopGroup(child, exited);
  }
});
