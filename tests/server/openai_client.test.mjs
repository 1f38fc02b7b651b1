// tern-server through the official OpenAI Node.js client (npm "openai", exact version in
// package.json): chat and completions, streamed and not, stop, max_tokens, seed, usage, a client
// that goes away, concurrency, the queue bound, and OpenAI-shaped errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import OpenAI from 'openai';
import { startServer, health, waitHealth, cliPath } from './server_helper.mjs';

let server;
let client;
const MODEL = 'tern-default';

// A prompt of about 3,000 tokens: prefilling it takes long enough (a second or more) for a
// client to leave while its request is still running. `tag` makes each one unique, so no
// earlier request's cache can serve it.
function longPrompt(tag) {
  return `${tag}. ` + 'the little dog ran to the park and played with a ball. '.repeat(230);
}

before(async () => {
  // A context large enough for the long prompts; one waiting request at most, so the queue
  // bound can be reached with three requests.
  server = await startServer(['-c', '4096', '--queue', '1', '-t', '1']);
  // No retries: a 429 or a dropped connection must reach the test as it is.
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0, timeout: 60000 });
});

after(async () => { await server?.stop(); });

const user = (content) => [{ role: 'user', content }];

test('models lists the loaded model', async () => {
  const list = await client.models.list();
  assert.deepEqual(list.data.map((m) => m.id), [MODEL]);
  assert.equal(list.data[0].object, 'model');
});

test('non-streamed chat: reply, ids, usage', async () => {
  const t0 = Math.floor(Date.now() / 1000);
  const r = await client.chat.completions.create({
    model: MODEL, messages: user('tell me a story about a cat.'), seed: 1, max_tokens: 40,
  });
  assert.match(r.id, /^chatcmpl-/);
  assert.equal(r.object, 'chat.completion');
  assert.equal(r.model, MODEL);
  assert.ok(Math.abs(r.created - t0) <= 5);
  assert.equal(r.choices.length, 1);
  assert.equal(r.choices[0].message.role, 'assistant');
  assert.ok(r.choices[0].message.content.length > 0);
  assert.ok(['stop', 'length'].includes(r.choices[0].finish_reason));
  const u = r.usage;
  assert.ok(u.prompt_tokens > 5);
  assert.ok(u.completion_tokens > 0 && u.completion_tokens <= 40);
  assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
});

test('streamed chat equals the non-streamed reply for the same seed; usage chunk and [DONE]', async () => {
  const req = { model: MODEL, messages: user('what did the dog do?'), seed: 11, max_tokens: 60 };
  const plain = await client.chat.completions.create(req);
  const stream = await client.chat.completions.create({ ...req, stream: true, stream_options: { include_usage: true } });
  let text = '';
  let role = null;
  let finish = null;
  let usage = null;
  let contentChunks = 0;
  for await (const chunk of stream) {
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunk.model, MODEL);
    if (chunk.usage) { usage = chunk.usage; assert.equal(chunk.choices.length, 0); continue; }
    const c = chunk.choices[0];
    if (c.delta.role) role = c.delta.role;
    if (c.delta.content) { text += c.delta.content; contentChunks++; }
    if (c.finish_reason) finish = c.finish_reason;
  }
  assert.equal(role, 'assistant');
  assert.equal(text, plain.choices[0].message.content);
  assert.equal(finish, plain.choices[0].finish_reason);
  assert.ok(contentChunks > 1, 'the reply arrives in pieces, not at once');
  assert.ok(usage, 'include_usage gives a usage chunk');
  assert.equal(usage.prompt_tokens, plain.usage.prompt_tokens);
  assert.equal(usage.completion_tokens, plain.usage.completion_tokens);
});

test('max_tokens ends with finish_reason length after exactly that many tokens', async () => {
  for (const field of ['max_tokens', 'max_completion_tokens']) {
    const r = await client.chat.completions.create({ model: MODEL, messages: user('once upon a time'), seed: 3, [field]: 4 });
    assert.equal(r.choices[0].finish_reason, 'length', field);
    assert.equal(r.usage.completion_tokens, 4, field);
  }
});

test('seed makes replies reproducible', async () => {
  const req = { model: MODEL, messages: user('a story about a red ball.'), max_tokens: 50, temperature: 1 };
  const a = await client.chat.completions.create({ ...req, seed: 1234 });
  const b = await client.chat.completions.create({ ...req, seed: 1234 });
  assert.equal(a.choices[0].message.content, b.choices[0].message.content);
  const others = [];
  for (const seed of [1, 2, 3]) others.push((await client.chat.completions.create({ ...req, seed })).choices[0].message.content);
  assert.ok(others.some((t) => t !== a.choices[0].message.content), 'different seeds give different replies');
});

test('stop ends the reply before the stop string', async () => {
  const req = { model: MODEL, messages: user('tell me about lily.'), seed: 5, max_tokens: 80 };
  const full = (await client.chat.completions.create(req)).choices[0].message.content;
  const words = full.split(' ');
  assert.ok(words.length > 6, `reply too short to cut: ${full}`);
  const stopWord = ' ' + words[5];
  const cut = full.slice(0, full.indexOf(stopWord));
  for (const stop of [stopWord, [stopWord, 'zzzz-never']]) {
    const r = await client.chat.completions.create({ ...req, stop });
    assert.equal(r.choices[0].message.content, cut);
    assert.equal(r.choices[0].finish_reason, 'stop');
  }
});

test('usage and text equal tern-cli on the same model and prompt (greedy completion)', async () => {
  const prompt = 'once upon a time, a little bird';
  const r = await client.completions.create({ model: MODEL, prompt, max_tokens: 24, temperature: 0 });
  assert.equal(r.object, 'text_completion');
  // tern-cli prints the text on stdout and "[prompt N tokens ..., generated M tokens ...]" on stderr.
  const cli = spawnSync(cliPath, ['-p', prompt, '-n', '24', '--temp', '0', '-c', '4096', '-t', '1'],
                        { encoding: 'utf8', timeout: 60000 });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(r.choices[0].text, cli.stdout.replace(/\n$/, ''));
  const m = cli.stderr.match(/prompt (\d+) tokens .*generated (\d+) tokens/);
  assert.ok(m, 'tern-cli printed its statistics');
  assert.equal(r.usage.prompt_tokens, Number(m[1]));
  assert.equal(r.usage.completion_tokens, Number(m[2]));
});

test('frequency_penalty and presence_penalty change the reply as tern-cli\'s flags do', async () => {
  const prompt = 'once upon a time, a little bird';
  const req = { model: MODEL, prompt, max_tokens: 24, temperature: 0 };
  const plain = await client.completions.create(req);
  const r = await client.completions.create({ ...req, frequency_penalty: 1.5, presence_penalty: 0.5 });
  assert.notEqual(r.choices[0].text, plain.choices[0].text, 'the penalties changed the greedy reply');
  const cli = spawnSync(cliPath, ['-p', prompt, '-n', '24', '--temp', '0', '-c', '4096', '-t', '1',
                                  '--frequency-penalty', '1.5', '--presence-penalty', '0.5'],
                        { encoding: 'utf8', timeout: 60000 });
  assert.equal(cli.status, 0, cli.stderr);
  assert.equal(r.choices[0].text, cli.stdout.replace(/\n$/, ''));
});

test('a follow-up turn reuses the cached conversation', async () => {
  const messages = user('tell me a story about a frog named sam.');
  const first = await client.chat.completions.create({ model: MODEL, messages, seed: 9, max_tokens: 30 });
  messages.push({ role: 'assistant', content: first.choices[0].message.content }, { role: 'user', content: 'what happened next?' });
  const second = await client.chat.completions.create({ model: MODEL, messages, seed: 9, max_tokens: 30 });
  const cached = second.usage.prompt_tokens_details.cached_tokens;
  // All of turn 1's prompt but its last token: "Assistant: " ends in a space that the reply's
  // first word absorbs once the reply is part of the conversation (BPE merges " once").
  assert.ok(cached >= first.usage.prompt_tokens - 1, `turn 2 reused ${cached} tokens, turn 1 had ${first.usage.prompt_tokens}`);
  assert.ok(cached < second.usage.prompt_tokens);
});

test('an aborted stream cancels its generation and the next request runs at once', async () => {
  const before = await health(server.url);
  const controller = new AbortController();
  const stream = await client.chat.completions.create(
    { model: MODEL, messages: user(longPrompt('abort-stream')), max_tokens: 1000, stream: true },
    { signal: controller.signal });
  // Leave as soon as the stream has started (the role chunk), while the long prompt is prefilled.
  let chunks = 0;
  try {
    for await (const _ of stream) {
      chunks++;
      controller.abort();
      break;
    }
  } catch (e) {
    if (e.name !== 'APIUserAbortError' && e.name !== 'AbortError') throw e;
  }
  assert.equal(chunks, 1);
  const h = await waitHealth(server.url, (x) => x.cancelled > before.cancelled && !x.busy);
  assert.equal(h.last_stop, 'cancelled');
  assert.equal(h.completed, before.completed, 'the aborted job did not run to its end');
  const r = await client.chat.completions.create({ model: MODEL, messages: user('hi'), max_tokens: 5, seed: 1 });
  assert.equal(r.usage.completion_tokens <= 5, true);
});

test('a non-streamed request whose client disconnects is cancelled', async () => {
  const before = await health(server.url);
  const controller = new AbortController();
  const pending = client.chat.completions.create(
    { model: MODEL, messages: user(longPrompt('abort-plain')), max_tokens: 1000 }, { signal: controller.signal });
  await waitHealth(server.url, (x) => x.busy);
  controller.abort();
  await assert.rejects(pending);
  const h = await waitHealth(server.url, (x) => x.cancelled > before.cancelled && !x.busy);
  assert.equal(h.last_stop, 'cancelled');
});

test('two concurrent clients each get their own reply', async () => {
  await waitHealth(server.url, (x) => !x.busy && x.queued === 0);
  const a = { model: MODEL, messages: user('a story about a tree.'), seed: 21, max_tokens: 30 };
  const b = { model: MODEL, messages: user('a story about a boat.'), seed: 22, max_tokens: 30 };
  const [ra, rb] = await Promise.all([client.chat.completions.create(a), client.chat.completions.create(b)]);
  const sa = await client.chat.completions.create(a);
  const sb = await client.chat.completions.create(b);
  assert.equal(ra.choices[0].message.content, sa.choices[0].message.content);
  assert.equal(rb.choices[0].message.content, sb.choices[0].message.content);
});

test('a full queue gives 429', async () => {
  const before = await waitHealth(server.url, (x) => !x.busy && x.queued === 0);
  const controllers = [new AbortController(), new AbortController()];
  const running = client.chat.completions.create(
    { model: MODEL, messages: user(longPrompt('queue-1')), max_tokens: 1000 }, { signal: controllers[0].signal });
  await waitHealth(server.url, (x) => x.busy);
  const waiting = client.chat.completions.create(
    { model: MODEL, messages: user(longPrompt('queue-2')), max_tokens: 1000 }, { signal: controllers[1].signal });
  await waitHealth(server.url, (x) => x.queued === 1);
  await assert.rejects(client.chat.completions.create({ model: MODEL, messages: user('hi') }),
                       (e) => e instanceof OpenAI.RateLimitError && e.status === 429 && e.code === 'queue_full');
  for (const c of controllers) c.abort();
  await Promise.allSettled([running, waiting]);
  const h = await waitHealth(server.url, (x) => !x.busy && x.queued === 0 && x.cancelled >= before.cancelled + 2);
  assert.equal(h.rejected, before.rejected + 1);
});

test('bad requests get OpenAI-shaped errors with the right status', async () => {
  const cases = [
    [{ model: MODEL, messages: user('hi'), n: 2 }, OpenAI.BadRequestError, 400, 'n'],
    [{ model: MODEL, messages: user('hi'), presence_penalty: 3 }, OpenAI.BadRequestError, 400, 'presence_penalty'],
    [{ model: MODEL, messages: user('hi'), max_tokens: 1e7 }, OpenAI.BadRequestError, 400, 'max_tokens'],
    [{ model: MODEL, messages: [] }, OpenAI.BadRequestError, 400, 'messages'],
    [{ model: MODEL, messages: [{ role: 'tool', content: 'x', tool_call_id: '1' }] }, OpenAI.BadRequestError, 400, 'messages[0].role'],
    [{ model: 'gpt-4o', messages: user('hi') }, OpenAI.NotFoundError, 404, 'model'],
  ];
  for (const [body, cls, status, param] of cases) {
    await assert.rejects(client.chat.completions.create(body), (e) => {
      assert.ok(e instanceof cls, `${JSON.stringify(body)}: ${e}`);
      assert.equal(e.status, status);
      assert.equal(e.param, param);
      assert.equal(typeof e.message, 'string');
      return true;
    });
  }
  // Not JSON at all, and no Content-Type: raw fetch, since the client always sends good JSON.
  let r = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"messages": [' });
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error.type, 'invalid_request_error');
  r = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
  assert.equal(r.status, 415);
  r = await fetch(`${server.url}/v1/nothing`);
  assert.equal(r.status, 404);
  assert.ok((await r.json()).error.message.includes('/v1/nothing'));
});

test('an API key is required when set, and exposed addresses need one', async () => {
  const keyed = await startServer(['--api-key', 'sekrit']);
  try {
    const noKey = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: 'wrong', maxRetries: 0 });
    await assert.rejects(noKey.models.list(), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
    const withKey = new OpenAI({ baseURL: `${keyed.url}/v1`, apiKey: 'sekrit', maxRetries: 0 });
    assert.equal((await withKey.models.list()).data[0].id, MODEL);
    assert.equal((await health(keyed.url)).status, 'ok');  // /health stays open for monitoring
  } finally {
    await keyed.stop();
  }
  await assert.rejects(startServer(['--host', '0.0.0.0']), /--api-key/);
});
