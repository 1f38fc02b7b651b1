// Not a test (not registered with ctest): a benchmark for the record. tern-server over HTTP
// (streamed chat completions through the official `openai` client) against the same chat turn
// in-process (tern-cli --chat, the same ChatEngine call), same model, prompt, threads and
// context, greedy. See README.md next to this file for how to run it and what it prints.
//
//   node http_vs_inprocess.mjs [-m MODEL.gguf] [-t THREADS] [-c CTX] [-r ROUNDS] [-n TOKENS]
//                              [--turns 1,5,10,20] [--turn-tokens N] [--conversations N] [--json FILE]
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, unlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import OpenAI from 'openai';
import { startServer, cliPath } from '../server_helper.mjs';

// ---- options ---------------------------------------------------------------------------------
const opt = { m: null, t: '1', c: '2048', r: 5, n: 128, turns: [1, 5, 10, 20], turnTokens: 32, conversations: 3, json: null };
for (let i = 2; i < process.argv.length; i++) {
  const a = process.argv[i];
  const v = () => { if (i + 1 >= process.argv.length) throw new Error(`${a} needs a value`); return process.argv[++i]; };
  if (a === '-m') opt.m = v();
  else if (a === '-t') opt.t = v();
  else if (a === '-c') opt.c = v();
  else if (a === '-r') opt.r = Number(v());
  else if (a === '-n') opt.n = Number(v());
  else if (a === '--turns') opt.turns = v().split(',').map(Number).filter((x) => x > 0);
  else if (a === '--turn-tokens') opt.turnTokens = Number(v());
  else if (a === '--conversations') opt.conversations = Number(v());
  else if (a === '--json') opt.json = v();
  else if (a === '-h' || a === '--help') {
    console.log(readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(0, 7).join('\n'));
    process.exit(0);
  } else throw new Error(`unknown option ${a}`);
}
const modelArgs = opt.m ? ['-m', opt.m] : [];
const commonArgs = [...modelArgs, '-t', opt.t, '-c', opt.c];

// ---- small helpers ---------------------------------------------------------------------------
const sorted = (xs) => [...xs].sort((a, b) => a - b);
const median = (xs) => { const s = sorted(xs); const k = s.length >> 1; return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2; };
const stat = (xs) => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs), n: xs.length, all: xs });
const fmt = (s, d = 1) => `${s.median.toFixed(d)} [${s.min.toFixed(d)}–${s.max.toFixed(d)}]`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const uptime = () => { try { return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '); } catch { return loadavg().map((x) => x.toFixed(2)).join(' '); } };

// The server prints one line per job on stderr (engine/server/inference_worker.cpp):
// "[job N chat: prompt P tokens (R reused), S s; generated G tokens, T tok/s; stop: ...]".
const JOB_RE = /\[job (\d+) (chat|completion): prompt (\d+) tokens \((\d+) reused\), ([\d.]+) s; generated (\d+) tokens, ([\d.]+) tok\/s/g;
function jobLines(server) {
  return [...server.log().matchAll(JOB_RE)].map((m) => ({
    job: Number(m[1]), prompt: Number(m[3]), reused: Number(m[4]), prefillMs: Number(m[5]) * 1000,
    generated: Number(m[6]), decodeTps: Number(m[7]),
  }));
}
// The engine's own figures for the request that just ended (its line may trail the HTTP reply).
async function lastJob(server, count) {
  for (let i = 0; i < 200; i++) {
    const jobs = jobLines(server);
    if (jobs.length >= count) return jobs[count - 1];
    await sleep(10);
  }
  throw new Error(`no job line ${count} in the server's log:\n${server.log()}`);
}

// A: one streamed chat completion over HTTP. TTFT = request sent -> first content chunk;
// decode = forward passes / (last chunk - first content chunk). The first token comes from the
// prompt's logits; the engine then runs one forward pass per sampled token except a final
// end-of-generation token (Session::decode), so the window holds completion_tokens passes after a
// "length" finish and completion_tokens - 1 otherwise: the count the engine's own tok/s uses.
const modelIds = new WeakMap();  // client -> the id its server serves (GET /v1/models)
async function httpChat(client, messages, maxTokens) {
  if (!modelIds.has(client)) modelIds.set(client, (await client.models.list()).data[0].id);
  const t0 = performance.now();
  let first = null;
  let usage = null;
  let finish = null;
  let text = '';
  const stream = await client.chat.completions.create({
    model: modelIds.get(client), messages, max_tokens: maxTokens, temperature: 0, stream: true, stream_options: { include_usage: true },
  });
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    if (chunk.choices[0]?.finish_reason) finish = chunk.choices[0].finish_reason;
    const piece = chunk.choices[0]?.delta?.content;
    if (piece) { if (first === null) first = performance.now(); text += piece; }
  }
  const end = performance.now();
  if (first === null) first = end;
  const passes = finish === 'length' ? usage.completion_tokens : usage.completion_tokens - 1;
  return { ttftMs: first - t0, decodeTps: passes / ((end - first) / 1000 || 1e-9), passes, totalMs: end - t0, usage, text };
}

// B: the same chat turn in-process, in one long-lived tern-cli --chat (warm like the server;
// "/reset" before each message, so each is a new one-message conversation, as on the HTTP side).
// tern-cli prints its statistics (ChatEngine's ChatUsage) only when stdin is a terminal, so it
// runs under script(1)'s pseudo-terminal (util-linux). The replies go to a file, not the
// terminal: a pty makes every piece a context switch to script(1), which on a small machine slows
// the decode loop (1.8k against 3k tok/s on the built-in model, 2 cores).
const STATS_RE = /\[prompt (\d+) tokens \((\d+) reused\), ([\d.]+) tok\/s; generated (\d+) tokens, ([\d.]+) tok\/s/g;
const replyFile = path.join(tmpdir(), `tern-bench-reply-${process.pid}.txt`);
process.on('exit', () => { try { unlinkSync(replyFile); } catch {} });
function startInprocess(maxTokens) {
  const cmd = [cliPath, ...commonArgs, '--chat', '-n', String(maxTokens), '--temp', '0']
    .map((s) => `'${String(s).replaceAll("'", "'\\''")}'`).join(' ') + ` > '${replyFile}'`;
  const p = spawn('script', ['-qec', cmd, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  process.on('exit', () => p.kill('SIGKILL'));
  let out = '';
  let exited = null;
  p.stdout.on('data', (d) => { out += d; });
  p.stderr.on('data', (d) => { out += d; });
  p.on('exit', (code) => { exited = code; });
  let turns = 0;
  let replyBytes = 0;
  return {
    async chat(message) {
      p.stdin.write(`/reset\n${message}\n`);
      const want = ++turns;
      for (;;) {
        const ms = [...out.matchAll(STATS_RE)];
        if (ms.length >= want) {
          const m = ms[want - 1];
          const all = readFileSync(replyFile);
          const output = all.subarray(replyBytes).toString('utf8');
          replyBytes = all.length;
          const prompt = Number(m[1]) - Number(m[2]);
          return { prefillMs: (prompt / Number(m[3])) * 1000, decodeTps: Number(m[5]), promptTokens: Number(m[1]),
                   reused: Number(m[2]), generated: Number(m[4]), output };
        }
        if (exited !== null) throw new Error(`tern-cli --chat exited (${exited}):\n${out}`);
        await sleep(5);
      }
    },
    stop() { p.stdin.end('/exit\n'); return new Promise((r) => (exited !== null ? r() : p.on('exit', r))); },
  };
}

// ---- run -------------------------------------------------------------------------------------
const cpuModel = (() => { try { return readFileSync('/proc/cpuinfo', 'utf8').match(/model name\s*:\s*(.*)/)[1]; } catch { return cpus()[0]?.model; } })();
const report = { model: opt.m ?? 'built-in (tern-default)', threads: Number(opt.t), ctx: Number(opt.c), maxTokens: opt.n,
                 rounds: opt.r, cpu: `${cpuModel} (${cpus().length} logical CPUs)`, loadBefore: uptime() };
console.log(`model ${report.model}, -t ${opt.t}, -c ${opt.c}, max_tokens ${opt.n}, greedy; ${report.cpu}`);
console.log(`load average before: ${report.loadBefore}`);

// Each round's prompt starts differently, so no round reuses an earlier one's cache; the two
// sides of a round get the same prompt.
const openers = ['once upon a time', 'one sunny day', 'long ago', 'in a small town', 'one morning', 'yesterday',
                 'at the farm', 'by the sea', 'in the forest', 'after school', 'on a rainy day', 'at night'];
const promptOf = (i) => `${openers[i % openers.length]}${i >= openers.length ? ` (${i})` : ''}, tell me a story about a little girl named lily who loved to play in the park with her dog.`;

const server = await startServer(commonArgs, { timeoutMs: 120000 });
let jobs = 0;
try {
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 600000 });
  // Warm-up, both sides (page cache, thread pool, first allocations); not counted.
  await httpChat(client, [{ role: 'user', content: promptOf(opt.r) }], opt.n); jobs++;
  const cli = startInprocess(opt.n);
  await cli.chat(promptOf(opt.r));

  const A = [];
  const B = [];
  let sameReply = 0;
  for (let i = 0; i < opt.r; i++) {
    const a = await httpChat(client, [{ role: 'user', content: promptOf(i) }], opt.n);
    a.engine = await lastJob(server, ++jobs);
    A.push(a);
    const b = await cli.chat(promptOf(i));
    B.push(b);
    if (b.generated === a.usage.completion_tokens && b.output.includes(a.text)) sameReply++;
    process.stdout.write(`  round ${i + 1}: HTTP TTFT ${a.ttftMs.toFixed(1)} ms, ${a.decodeTps.toFixed(1)} tok/s` +
                         ` | in-process prefill ${b.prefillMs.toFixed(1)} ms, ${b.decodeTps.toFixed(1)} tok/s\n`);
  }
  await cli.stop();
  const ab = {
    promptTokens: A[0].usage.prompt_tokens,
    reusedTokens: { http: A[0].usage.prompt_tokens_details?.cached_tokens, inprocess: B[0].reused },
    generated: A.map((a) => a.usage.completion_tokens),
    sameReplyRounds: sameReply,
    http: { ttftMs: stat(A.map((a) => a.ttftMs)), decodeTps: stat(A.map((a) => a.decodeTps)) },
    serverEngine: { prefillMs: stat(A.map((a) => a.engine.prefillMs)), decodeTps: stat(A.map((a) => a.engine.decodeTps)) },
    inprocess: { prefillMs: stat(B.map((b) => b.prefillMs)), decodeTps: stat(B.map((b) => b.decodeTps)) },
    // Per request: HTTP time per token over the engine's own time per token, in the same request.
    overheadPerTokenPct: stat(A.map((a) => (a.engine.decodeTps / a.decodeTps - 1) * 100)),
    // HTTP TTFT minus the engine's prefill of the same request: render, tokenize, first sample, SSE.
    ttftOverheadMs: stat(A.map((a) => a.ttftMs - a.engine.prefillMs)),
    // Whole request as the client sees it over the engine's prefill + decode time, same request.
    requestOverheadPct: stat(A.map((a) => (a.totalMs / (a.engine.prefillMs + (a.passes / a.engine.decodeTps) * 1000) - 1) * 100)),
  };
  ab.decodeRatioHttpOverInprocess = ab.http.decodeTps.median / ab.inprocess.decodeTps.median;
  ab.ttftRatioHttpOverInprocess = ab.http.ttftMs.median / ab.inprocess.prefillMs.median;
  report.ab = ab;
  console.log(`\nA/B, ${opt.r} rounds A B A B (median [min–max]); prompt ${ab.promptTokens} tokens (${ab.reusedTokens.http} / ${ab.reusedTokens.inprocess} reused), generated ${ab.generated.join(',')};` +
              ` same reply both sides in ${sameReply}/${opt.r} rounds`);
  console.log(`  HTTP (stream)            TTFT ${fmt(ab.http.ttftMs)} ms   decode ${fmt(ab.http.decodeTps)} tok/s`);
  console.log(`  server engine (same req) prefill ${fmt(ab.serverEngine.prefillMs)} ms   decode ${fmt(ab.serverEngine.decodeTps)} tok/s`);
  console.log(`  in-process (tern-cli)    prefill ${fmt(ab.inprocess.prefillMs)} ms   decode ${fmt(ab.inprocess.decodeTps)} tok/s`);
  console.log(`  HTTP/in-process: decode ${ab.decodeRatioHttpOverInprocess.toFixed(3)}, TTFT/prefill ${ab.ttftRatioHttpOverInprocess.toFixed(3)}`);
  console.log(`  server overhead per token (engine tok/s / HTTP tok/s - 1, same request): ${fmt(ab.overheadPerTokenPct, 2)} %`);
  console.log(`  HTTP TTFT - engine prefill (same request): ${fmt(ab.ttftOverheadMs, 2)} ms`);
  console.log(`  whole request over the engine's prefill + decode (same request): ${fmt(ab.requestOverheadPct, 2)} %`);

  // Conversations resent whole every turn, as chat clients do; each starts differently.
  const perTurn = {};
  let lastMessages = null;
  const maxTurn = Math.max(...opt.turns);
  for (let c = 0; c < opt.conversations; c++) {
    const messages = [];
    for (let turn = 1; turn <= maxTurn; turn++) {
      messages.push({ role: 'user', content: turn === 1 ? promptOf(100 + c) : `tell me more, part ${turn}.` });
      const r = await httpChat(client, messages, opt.turnTokens);
      r.engine = await lastJob(server, ++jobs);
      if (opt.turns.includes(turn)) (perTurn[turn] ??= []).push(r);
      if (turn === maxTurn) lastMessages = messages.map((m) => ({ ...m }));
      messages.push({ role: 'assistant', content: r.text });
    }
  }
  report.turns = {};
  console.log(`\nOne conversation resent whole each turn (replies of up to ${opt.turnTokens} tokens), median of ${opt.conversations}:`);
  for (const turn of opt.turns) {
    const rs = perTurn[turn];
    const last = rs[rs.length - 1];
    report.turns[turn] = { ttftMs: stat(rs.map((r) => r.ttftMs)), enginePrefillMs: stat(rs.map((r) => r.engine.prefillMs)),
                           promptTokens: last.usage.prompt_tokens, cachedTokens: last.usage.prompt_tokens_details?.cached_tokens };
    const t = report.turns[turn];
    console.log(`  turn ${String(turn).padStart(2)}: TTFT ${fmt(t.ttftMs)} ms (engine prefill ${fmt(t.enginePrefillMs)} ms),` +
                ` prompt ${t.promptTokens} tokens, ${t.cachedTokens} cached`);
  }

  // The last turn again on a fresh server (after a warm-up on another prompt): no cache.
  const fresh = await startServer(commonArgs, { timeoutMs: 120000 });
  try {
    const c2 = new OpenAI({ baseURL: `${fresh.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 600000 });
    await httpChat(c2, [{ role: 'user', content: 'a warm-up question about cats.' }], 8);
    const r = await httpChat(c2, lastMessages, opt.turnTokens);
    r.engine = await lastJob(fresh, 2);
    report.freshLastTurn = { turn: maxTurn, ttftMs: r.ttftMs, enginePrefillMs: r.engine.prefillMs, promptTokens: r.usage.prompt_tokens,
                             cachedTokens: r.usage.prompt_tokens_details?.cached_tokens };
    console.log(`  turn ${maxTurn} on a fresh server (no cache): TTFT ${r.ttftMs.toFixed(1)} ms (engine prefill ${r.engine.prefillMs.toFixed(1)} ms),` +
                ` prompt ${r.usage.prompt_tokens} tokens, ${report.freshLastTurn.cachedTokens} cached`);
  } finally {
    await fresh.stop();
  }
} finally {
  await server.stop();
}
report.loadAfter = uptime();
console.log(`\nload average after: ${report.loadAfter}`);
if (opt.json) writeFileSync(opt.json, JSON.stringify(report, null, 2));
