// Starts a tern-server on a free loopback port for a test file and stops it afterwards.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const serverPath = process.env.TERN_SERVER ?? path.join(here, '../../build/engine/tools/tern-server');
export const cliPath = process.env.TERN_CLI ?? path.join(here, '../../build/engine/tools/tern-cli');

const running = new Set();
// Whatever happens to the test process, no server is left behind.
process.on('exit', () => { for (const p of running) p.kill('SIGKILL'); });

// Resolves to { url, port, proc, log(), stop() } once the server printed "ready".
export function startServer(args = [], { timeoutMs = 20000 } = {}) {
  return new Promise((resolve, reject) => {
    // --port 0: the server picks a free port and prints it.
    const proc = spawn(serverPath, ['--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(proc);
    let out = '';
    let err = '';
    let url = null;
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`tern-server did not start:\n${out}${err}`)); }, timeoutMs);
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/[^\s]+)/);
      if (m) url = m[1];
      if (url && /^ready$/m.test(out)) {
        clearTimeout(timer);
        const stop = () => new Promise((res) => {
          if (proc.exitCode !== null || proc.signalCode !== null) { running.delete(proc); res(); return; }
          proc.once('exit', () => { running.delete(proc); res(); });
          proc.kill('SIGTERM');
          setTimeout(() => proc.kill('SIGKILL'), 5000).unref();
        });
        resolve({ url, port: Number(new URL(url).port), proc, log: () => err, stop });
      }
    });
    proc.on('exit', (code) => {
      running.delete(proc);
      if (!url) { clearTimeout(timer); reject(new Error(`tern-server exited (${code}):\n${out}${err}`)); }
    });
  });
}

// GET /health as JSON.
export async function health(url) {
  const r = await fetch(`${url}/health`);
  return r.json();
}

// Polls /health until pred(health) holds, at most `tries` times 50 ms apart.
export async function waitHealth(url, pred, tries = 200) {
  let h;
  for (let i = 0; i < tries; i++) {
    h = await health(url);
    if (pred(h)) return h;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`health never reached the expected state: ${JSON.stringify(h)}`);
}
