// Runs a command with the mock backend (its own server, not the demo's) listening on 127.0.0.1
// (a random port), its URL in MOCK_URL; stops the server when the command ends and exits with the command's status.
//   node scripts/with-mock.mjs cargo test --target wasm32-unknown-unknown --test wasm_node
import { spawn } from 'node:child_process';
import { startMockServer } from '../mock/server.mjs';

const [cmd, ...args] = process.argv.slice(2);
const server = await startMockServer({ port: 0, delayMs: 1 });
const child = spawn(cmd, args, { stdio: 'inherit', env: { ...process.env, MOCK_URL: server.url } });
const stop = async (code) => {
  await server.close();
  process.exit(code);
};
child.on('exit', (code, signal) => stop(code ?? (signal ? 1 : 0)));
child.on('error', (e) => {
  console.error(`with-mock: cannot run ${cmd}: ${e.message}`);
  stop(127);
});
