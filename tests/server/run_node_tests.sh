#!/usr/bin/env bash
# ctest server.openai_client: the OpenAI Node.js client tests (node --test). Needs node and the
# packages from package-lock.json, installed beforehand; nothing is downloaded here.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if ! command -v node >/dev/null; then
  echo "server.openai_client: node is not installed (packaging/linux/install-build-deps.sh installs it)" >&2
  exit 1
fi
if [ ! -f "$here/node_modules/openai/package.json" ]; then
  echo "server.openai_client: $here/node_modules is missing: run 'npm ci' in tests/server" \
       "(packaging/linux/install-build-deps.sh does)" >&2
  exit 1
fi
cd "$here"
# The tests of the file run in order (node's default within a file): they share one server.
# (No --test-concurrency/--test-timeout: Debian 12's Node 18 lacks them; ctest's TIMEOUT bounds the run.)
exec node --test openai_client.test.mjs
