#!/usr/bin/env bash
# ctest server.curl: tern-server's raw HTTP with curl: the SSE framing ("data: " lines, blank
# line separators, "data: [DONE]" last), and the 401/404/413/415 error statuses with OpenAI's
# error body. Usage: curl_cases.sh path/to/tern-server
set -euo pipefail
server="$1"
tmp="$(mktemp -d)"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Starts the server with extra arguments on a free port; sets $pid and $base.
start() {
  "$server" --port 0 "$@" >"$tmp/out" 2>"$tmp/err" &
  pid=$!
  for _ in $(seq 1 200); do
    grep -q '^ready$' "$tmp/out" 2>/dev/null && break
    kill -0 "$pid" 2>/dev/null || fail "server exited: $(cat "$tmp/err")"
    sleep 0.05
  done
  grep -q '^ready$' "$tmp/out" || fail "server not ready: $(cat "$tmp/out" "$tmp/err")"
  base="$(grep -o 'http://[^ ]*' "$tmp/out" | head -1)"
}
stop() { kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""; }

# status BODYFILE CURL-ARGS...: prints the HTTP status, writes the body to BODYFILE.
status() { local f="$1"; shift; curl -s -m 30 -o "$f" -w '%{http_code}' "$@"; }
json=(-H 'Content-Type: application/json')

start --max-body 4096
# Streamed chat: every non-empty line is "data: ...", events are separated by one blank line,
# the last event is [DONE], and a finish_reason comes before it.
curl -sN -m 30 "${json[@]}" "$base/v1/chat/completions" \
  -d '{"messages":[{"role":"user","content":"tell me a story"}],"max_tokens":8,"seed":1,"stream":true}' >"$tmp/sse"
[ -s "$tmp/sse" ] || fail "empty stream"
if grep -v '^$' "$tmp/sse" | grep -qv '^data: '; then fail "a line of the stream is not a data: line: $(cat "$tmp/sse")"; fi
[ "$(grep -c '^data: ' "$tmp/sse")" -ge 3 ] || fail "too few events"
[ "$(tail -n 2 "$tmp/sse" | head -n 1)" = "data: [DONE]" ] || fail "the stream does not end with data: [DONE]"
[ "$(tail -c 2 "$tmp/sse" | od -An -c | tr -d ' ')" = '\n\n' ] || fail "the last event is not closed by a blank line"
awk 'NR % 2 == 0 && $0 != "" { bad = 1 } END { exit bad }' "$tmp/sse" || fail "events are not separated by single blank lines"
grep -q '"finish_reason":"length"' "$tmp/sse" || fail "no finish_reason length in the stream"
[ "$(grep -c '\[DONE\]' "$tmp/sse")" = 1 ] || fail "[DONE] more than once"
# Headers of a stream.
curl -sN -m 30 -D "$tmp/headers" -o /dev/null "${json[@]}" "$base/v1/completions" \
  -d '{"prompt":"once","max_tokens":2,"stream":true}'
grep -qi '^content-type: text/event-stream' "$tmp/headers" || fail "stream content type: $(cat "$tmp/headers")"

# Errors: status and OpenAI's {"error": {"message", "type", ...}}.
[ "$(status "$tmp/b" "$base/v1/unknown")" = 404 ] || fail "unknown path"
grep -q '"error":{' "$tmp/b" || fail "404 body: $(cat "$tmp/b")"
[ "$(status "$tmp/b" "${json[@]}" "$base/v1/chat/completions" -d '{"model":"other","messages":[{"role":"user","content":"x"}]}')" = 404 ] \
  || fail "unknown model"
grep -q '"code":"model_not_found"' "$tmp/b" || fail "model 404 body: $(cat "$tmp/b")"
head -c 10000 /dev/zero | tr '\0' 'a' | sed 's/^/{"prompt":"/; s/$/"}/' >"$tmp/big"
[ "$(status "$tmp/b" "${json[@]}" "$base/v1/completions" --data-binary @"$tmp/big")" = 413 ] || fail "body over --max-body"
grep -q '"type":"invalid_request_error"' "$tmp/b" || fail "413 body: $(cat "$tmp/b")"
[ "$(status "$tmp/b" "$base/v1/completions" -d '{"prompt":"x"}')" = 415 ] || fail "form-encoded body"
[ "$(status "$tmp/b" "${json[@]}" "$base/v1/completions" -d '{"prompt":')" = 400 ] || fail "bad JSON"
grep -q 'not valid JSON' "$tmp/b" || fail "400 body: $(cat "$tmp/b")"
[ "$(status "$tmp/b" -H 'Host: evil.example:80' "$base/health")" = 403 ] || fail "DNS-rebinding Host header"
# No CORS headers unless --cors.
curl -s -m 30 -D "$tmp/headers" -o /dev/null "$base/v1/models"
if grep -qi '^access-control' "$tmp/headers"; then fail "CORS headers without --cors"; fi
stop

# (Also with half-precision KV caches: --kv reaches the engine, and chat works on them.)
start --api-key sekrit --cors https://app.example --kv f16
grep -q 'f16 KV cache' "$tmp/err" || fail "--kv f16 not in effect: $(cat "$tmp/err")"
[ "$(status "$tmp/b" -H 'Authorization: Bearer sekrit' "${json[@]}" "$base/v1/chat/completions" \
     -d '{"messages":[{"role":"user","content":"hi"}],"max_tokens":4}')" = 200 ] || fail "chat with an f16 cache"
grep -q '"choices":\[' "$tmp/b" || fail "f16 chat body: $(cat "$tmp/b")"
[ "$(status "$tmp/b" "$base/v1/models")" = 401 ] || fail "no key"
grep -q '"type":"authentication_error"' "$tmp/b" || fail "401 body: $(cat "$tmp/b")"
[ "$(status "$tmp/b" -H 'Authorization: Bearer wrong' "$base/v1/models")" = 401 ] || fail "wrong key"
[ "$(status "$tmp/b" -H 'Authorization: Bearer sekrit' "$base/v1/models")" = 200 ] || fail "right key"
curl -s -m 30 -D "$tmp/headers" -o /dev/null -H 'Authorization: Bearer sekrit' "$base/v1/models"
grep -qi '^access-control-allow-origin: https://app.example' "$tmp/headers" || fail "CORS origin: $(cat "$tmp/headers")"
[ "$(status "$tmp/b" -X OPTIONS -H 'Origin: https://app.example' "$base/v1/chat/completions")" = 204 ] || fail "preflight"
stop

# An unknown --kv type is a clear error before anything listens.
if "$server" --port 0 --kv f8 >"$tmp/out" 2>"$tmp/err"; then fail "--kv f8 accepted"; fi
grep -q "unknown --kv type 'f8'" "$tmp/err" || fail "--kv f8 message: $(cat "$tmp/err")"

# Refuses to listen beyond loopback without a key.
if "$server" --host 0.0.0.0 --port 0 >"$tmp/out" 2>"$tmp/err"; then fail "listened on 0.0.0.0 without --api-key"; fi
grep -q -- '--api-key' "$tmp/err" || fail "no reason given: $(cat "$tmp/err")"
echo "all curl cases passed"
