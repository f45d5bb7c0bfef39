#!/usr/bin/env bash
# A private Redis on a free loopback port, its files under a directory of its own:
#   redis.sh start [--dir DIR] [--port N] [--listen IP]   starts the instance of DIR (unless it runs); prints the URL
#   redis.sh stop  [--dir DIR]              stops the instance of DIR (and nothing else)
#   redis.sh url   [--dir DIR]              prints the URL of the running instance of DIR
# DIR defaults to .cluster/redis. Debian's redis-server package is installed when missing, but its
# service (port 6379, /etc/redis) is never used or touched: this instance runs from DIR/redis.conf
# with a generated password, no persistence (it holds logins, rate-limit windows, socket.io
# messages and media placements, all of which expire or are rebuilt), and keeps its process title
# so that `stop` can tell it is ours.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

engines_parse_args redis "$@"

running_pid() {
  local pid
  [ -f "$dir/redis.pid" ] || return 1
  pid="$(cat "$dir/redis.pid")"
  engines_pid_is_ours "$pid" "$dir" && echo "$pid"
}

url() {
  echo "redis://default:$(cat "$dir/password")@127.0.0.1:$(engines_state_get "$dir" PORT)"
}

start() {
  local t0 port pid
  if pid="$(running_pid)"; then
    url
    return 0
  fi
  t0="$(engines_now_ms)"
  engines_need_pkgs redis-server:redis-server
  umask 077
  [ -s "$dir/password" ] || node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))' >"$dir/password"
  port="${ENGINE_PORT:-$(engines_free_port)}"
  engines_state_set "$dir" PORT "$port"
  cat >"$dir/redis.conf" <<EOF
bind 127.0.0.1${ENGINE_LISTEN:+ $ENGINE_LISTEN}
protected-mode yes
port $port
requirepass $(cat "$dir/password")
daemonize yes
pidfile $dir/redis.pid
logfile $dir/redis.log
dir $dir
save ""
appendonly no
set-proc-title no
EOF
  rm -f "$dir/redis.pid"
  redis-server "$dir/redis.conf" || engines_die "redis: redis-server failed to start (log: $dir/redis.log)"
  engines_wait_port "$port" 30 redis
  for _ in $(seq 1 50); do
    pid="$(running_pid)" && break
    sleep 0.1
  done
  [ -n "${pid:-}" ] || engines_die "redis: no pid file of ours in $dir (log: $dir/redis.log)"
  engines_state_set "$dir" PID "$pid"
  engines_log "redis: pid $pid on 127.0.0.1${ENGINE_LISTEN:+ and $ENGINE_LISTEN}:$port, files in $dir, started in $(($(engines_now_ms) - t0)) ms"
  url
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    engines_log "redis: no instance of ours runs in $dir"
    return 0
  fi
  engines_stop_pid "$pid" "$dir" 20
  engines_log "redis: stopped the instance in $dir (pid $pid)"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  url) running_pid >/dev/null || engines_die "redis: not running in $dir"; url ;;
  *) engines_die "usage: redis.sh start|stop|url [--dir DIR] [--port N] [--listen IP]" ;;
esac
