#!/usr/bin/env bash
# tern-cli --chat as a terminal user drives it: Ctrl-C (SIGINT) while a reply is written stops
# that reply and the chat goes on; /help is answered by tern-cli, not sent to the model; Ctrl-C
# at the prompt quits with 130. Needs a model slow enough to interrupt mid-reply (the synthetic
# 2B4T file, whose random weights never end a reply by themselves).
# usage: chat_interrupt.sh TERN_CLI MODEL SCRATCH_DIR
set -u
cli=$1 model=$2 dir=$3
mkdir -p "$dir" && cd "$dir" || exit 1
rm -f in out err
mkfifo in
"$cli" -m "$model" --chat -n 0 -t 2 <in >out 2>err &
pid=$!
exec 3>in
fail() { echo "FAIL: $*"; echo "--- stderr:"; cat err; kill -9 "$pid" 2>/dev/null; exit 1; }
wait_for() {  # wait_for FILE PATTERN SECONDS
    for _ in $(seq 1 $(($3 * 20))); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    return 1
}
echo "tell me a story" >&3
for _ in $(seq 1 1200); do [ -s out ] && break; sleep 0.05; done
[ -s out ] || fail "no reply within 60 s"
kill -INT "$pid"
wait_for err '^\[stopped\]' 30 || fail "Ctrl-C did not stop the reply"
kill -0 "$pid" 2>/dev/null || fail "Ctrl-C during a reply ended the program"
echo "/help" >&3
wait_for err 'Commands:' 10 || fail "/help was not answered"
sleep 0.3
kill -INT "$pid"  # at the prompt: quit
for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
wait "$pid"
rc=$?
exec 3>&-
[ "$rc" = 130 ] || fail "Ctrl-C at the prompt: exit code $rc, expected 130"
echo "chat_interrupt: passed"
