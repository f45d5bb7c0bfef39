#!/usr/bin/env bash
# Quick start, second command: set up and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/worker-env.sh
npm run --silent typecheck
npm run --silent lint
npm test
