#!/usr/bin/env bash
# The one test command (`npm test`): system components, build, lint, type check, tests.
# In CI (CI=true) a missing system component fails loudly; it is never skipped.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup-system.sh
echo "== build"
node scripts/build.mjs
echo "== lint (biome)"
npx biome check --error-on-warnings .
echo "== type check (tsc over src, tests and benchmarks)"
npx tsc --noEmit -p tsconfig.json
echo "== type check (tsc over the Control UI, DOM lib)"
npx tsc --noEmit -p ui
echo "== tests (vitest)"
npx vitest run "$@"
