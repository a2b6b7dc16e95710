// Runs a command with the mock backend listening on 127.0.0.1 (a random port), its URL in
// MOCK_URL; stops the server when the command ends and exits with the command's status.
//   node scripts/with-mock.mjs cargo test --target wasm32-unknown-unknown --test wasm_node
import { spawn } from 'node:child_process';
import { startServer } from '../www/server.mjs';

const [cmd, ...args] = process.argv.slice(2);
const server = await startServer({ port: 0, delayMs: 1, quiet: true });
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
