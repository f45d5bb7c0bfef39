# Shared helpers of the engine scripts (sourced, not run). Each engine script starts a PRIVATE
# instance: its data, logs and a state file live under one directory it was given, it listens on a
# free loopback port, and `stop` ends only the processes whose pid it wrote there (checked against
# /proc so that a recycled pid is never signalled).

engines_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

engines_log() { echo "engines: $*" >&2; }
engines_die() { echo "engines: $*" >&2; exit 1; }

# A free TCP port on 127.0.0.1 (the kernel picks it; a tiny race with other starters is accepted,
# the daemon then fails to bind and the script says so).
engines_free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Installs the Debian packages whose command (or file) is missing: `engines_need_pkgs cmd:pkg path:pkg …`.
engines_need_pkgs() {
  local want=() spec what pkg
  for spec in "$@"; do
    what="${spec%%:*}" pkg="${spec#*:}"
    if [[ "$what" == /* ]]; then [ -e "$what" ] || want+=("$pkg"); else command -v "$what" >/dev/null 2>&1 || want+=("$pkg"); fi
  done
  [ ${#want[@]} -eq 0 ] && return 0
  engines_log "installing Debian packages: ${want[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${want[@]}" >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${want[@]}" >/dev/null; }
  engines_log "installed ${want[*]}"
}

# state file: KEY=VALUE lines in <dir>/state.env
engines_state_set() { # dir key value
  local file="$1/state.env"
  touch "$file"
  grep -v "^$2=" "$file" >"$file.tmp" || true
  printf '%s=%s\n' "$2" "$3" >>"$file.tmp"
  mv "$file.tmp" "$file"
}
engines_state_get() { # dir key
  [ -f "$1/state.env" ] || return 0
  sed -n "s/^$2=//p" "$1/state.env" | tail -n1
}

# True when pid runs and its command line mentions the instance directory (so it is ours).
engines_pid_is_ours() { # pid dir
  local pid="$1" dir="$2"
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$dir"
}

# Stops one pid we started: TERM, wait up to $3 seconds (default 20), then KILL.
engines_stop_pid() { # pid dir [seconds]
  local pid="$1" dir="$2" wait="${3:-20}" i
  engines_pid_is_ours "$pid" "$dir" || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < wait * 10; i++)); do
    engines_pid_is_ours "$pid" "$dir" || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Waits until a TCP port on 127.0.0.1 accepts connections.
engines_wait_port() { # port seconds what
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  engines_die "$3 did not listen on 127.0.0.1:$1 within $2 s"
}

# Milliseconds since the epoch (start-up timing).
engines_now_ms() { date +%s%3N; }

# Parses `COMMAND [--dir DIR] [--port N] [--listen IP]` into $cmd, $dir, $ENGINE_PORT and $ENGINE_LISTEN (default
# dir: .cluster/<name>). --listen adds one IPv4 address to 127.0.0.1 (a lab's private wire, for nodes in other
# network namespaces); the instance never listens on every interface.
engines_parse_args() { # name args…
  local name="$1"
  shift
  cmd="${1:-}"
  [ $# -gt 0 ] && shift
  ENGINE_DIR="" ENGINE_PORT="" ENGINE_LISTEN=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) ENGINE_DIR="$2"; shift 2 ;;
      --port) ENGINE_PORT="$2"; shift 2 ;;
      --listen)
        [[ "$2" =~ ^[0-9]{1,3}(\.[0-9]{1,3}){3}$ && "$2" != 0.0.0.0 ]] || engines_die "--listen takes one IPv4 address, not $2"
        ENGINE_LISTEN="$2"
        shift 2
        ;;
      *) engines_die "unknown argument $1" ;;
    esac
  done
  [ -n "$ENGINE_DIR" ] || ENGINE_DIR="$engines_root/.cluster/$name"
  mkdir -p "$ENGINE_DIR"
  dir="$(cd "$ENGINE_DIR" && pwd)"
}
