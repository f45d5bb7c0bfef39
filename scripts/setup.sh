#!/usr/bin/env bash
# Everything a fresh Debian machine needs before Tongban Desk runs: Debian packages, the
# mediasoup worker, npm packages (from package-lock.json) and the build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-system.sh
source scripts/worker-env.sh

stamp=node_modules/.tongban-lock-sha256
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "setup: installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$want" > "$stamp"
fi
echo "setup: building"
npm run --silent build
