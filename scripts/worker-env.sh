# Sourced: points npm and the server at the project-local mediasoup worker unless one is given.
if [ -z "${MEDIASOUP_WORKER_BIN:-}" ]; then
  _tb_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  export MEDIASOUP_WORKER_BIN="$_tb_root/.deps/mediasoup/root/usr/lib/x86_64-linux-gnu/mediasoup/mediasoup-worker"
  unset _tb_root
fi
