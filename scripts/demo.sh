#!/usr/bin/env bash
# Quick start, first command: set up, seed the demo data (idempotent) and serve the desk.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/worker-env.sh
exec node bin/tongban.cjs demo "$@"
