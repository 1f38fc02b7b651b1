// Not a test: measures tern-server for the record (README numbers, issue notes). Prints tokens/s
// and time to first token over HTTP beside tern-cli's in-process figures for the same model and
// prompt, and the time to first token of turns 1, 5 and 20 of one conversation (with the cache,
// and the turn-20 conversation on a fresh server for comparison).
// Usage: [TERN_THREADS=N] node measure.mjs [-c CTX]   (servers on free loopback ports; killed at
// the end. Default one thread: on the tiny built-in model, more threads cost more than they give.)
import { spawnSync } from 'node:child_process';
import OpenAI from 'openai';
import { startServer, cliPath } from './server_helper.mjs';

const ctx = process.argv[2] === '-c' ? process.argv[3] : '2048';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function streamed(client, body) {
  const t0 = performance.now();
  let first = null;
  let usage = null;
  const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    else if (chunk.choices[0]?.delta?.content && first === null) first = performance.now();
  }
  const end = performance.now();
  if (first === null) first = end;  // an empty reply: time to its end
  return { ttft: first - t0, decodeTps: (usage.completion_tokens - 1) / ((end - first) / 1000 || 1e-9), usage };
}

async function completion(client, prompt, n) {
  const t0 = performance.now();
  let first = null;
  let usage = null;
  const stream = await client.completions.create({ prompt, max_tokens: n, temperature: 0, stream: true, stream_options: { include_usage: true } });
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    else if (chunk.choices[0]?.text && first === null) first = performance.now();
  }
  const end = performance.now();
  if (first === null) first = end;  // an empty reply: time to its end
  return { ttft: first - t0, decodeTps: (usage.completion_tokens - 1) / ((end - first) / 1000 || 1e-9), usage };
}

const threads = process.env.TERN_THREADS ?? '1';
const server = await startServer(['-c', ctx, '-t', threads]);
try {
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  const prompt = 'there was a little girl named lily who loved to play in the park with her dog. one day';
  const openers = ['once upon a time', 'one sunny day', 'long ago', 'in a small town', 'one morning', 'yesterday', 'at the farm'];
  const runs = [];
  // Each run starts with a different word so no run reuses the previous one's cache.
  for (let i = 0; i < 7; i++) runs.push(await completion(client, `${openers[i]}, ${prompt}`, 100));
  const cli = [];
  for (let i = 0; i < 7; i++) {
    const r = spawnSync(cliPath, ['-p', `${openers[i]}, ${prompt}`, '-n', '100', '--temp', '0', '-c', ctx, '-t', threads], { encoding: 'utf8' });
    const m = r.stderr.match(/prompt (\d+) tokens .*?, ([\d.]+) tok\/s; generated (\d+) tokens, ([\d.]+) tok\/s/);
    cli.push({ ttft: (Number(m[1]) / Number(m[2])) * 1000, decodeTps: Number(m[4]) });
  }
  console.log(`context ${ctx}, prompt ${runs[0].usage.prompt_tokens} tokens, up to 100 generated (greedy; got ${runs.map((r) => r.usage.completion_tokens).join(',')}), median of 7:`);
  console.log(`  HTTP (stream):  TTFT ${median(runs.map((r) => r.ttft)).toFixed(1)} ms, decode ${median(runs.map((r) => r.decodeTps)).toFixed(0)} tok/s`);
  console.log(`  tern-cli -p:    prefill ${median(cli.map((r) => r.ttft)).toFixed(1)} ms, decode ${median(cli.map((r) => r.decodeTps)).toFixed(0)} tok/s`);

  // Three conversations (different system prompts, so none reuses another's cache); the median
  // of the three per turn.
  const samples = {};
  let messages;
  for (const topic of ['dogs', 'cats', 'birds']) {
    messages = [{ role: 'system', content: `you tell short stories about ${topic}.` }];
    for (let turn = 1; turn <= 20; turn++) {
      messages.push({ role: 'user', content: `tell me more, part ${turn}.` });
      const r = await streamed(client, { messages, max_tokens: 30, seed: turn });
      if ([1, 5, 10, 20].includes(turn)) (samples[turn] ??= []).push(r);
      const reply = await client.chat.completions.create({ messages, max_tokens: 30, seed: turn });
      messages.push({ role: 'assistant', content: reply.choices[0].message.content });
    }
  }
  for (const [turn, rs] of Object.entries(samples)) {
    const r = rs[rs.length - 1];
    console.log(`  turn ${turn}: TTFT ${median(rs.map((x) => x.ttft)).toFixed(1)} ms (${rs.map((x) => x.ttft.toFixed(1)).join(', ')}), ` +
                `prompt ${r.usage.prompt_tokens} tokens (${r.usage.prompt_tokens_details.cached_tokens} cached)`);
  }
  messages.length = messages.length - 1;
  const fresh = await startServer(['-c', ctx, '-t', threads]);
  try {
    const c2 = new OpenAI({ baseURL: `${fresh.url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const r = await streamed(c2, { messages, max_tokens: 30, seed: 20 });
    console.log(`  turn 20 on a fresh server (no cache): TTFT ${r.ttft.toFixed(1)} ms, prompt ${r.usage.prompt_tokens} tokens`);
  } finally {
    await fresh.stop();
  }
} finally {
  await server.stop();
}
