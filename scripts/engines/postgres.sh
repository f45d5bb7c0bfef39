#!/usr/bin/env bash
# A private PostgreSQL on a free loopback port, its cluster under a directory of its own:
#   postgres.sh start [--dir DIR] [--port N] [--listen IP]   initdb (first time) + pg_ctl start; prints the URL
#   postgres.sh stop  [--dir DIR]              stops the instance of DIR (and nothing else)
#   postgres.sh url   [--dir DIR]              prints the URL of the running instance of DIR
# DIR defaults to .cluster/postgres. The machine's own clusters (pg_ctlcluster, port 5432) are never
# used or touched: this one is initdb'ed into DIR/data, with a generated password for the superuser
# `tongban` (scram-sha-256) and a database `tongban`. As root, the server runs as the user postgres
# (PostgreSQL refuses to run as root).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

engines_parse_args postgres "$@" # sets cmd, dir
data="$dir/data"

pg_bin() {
  local found
  found="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)"
  if [ -z "$found" ]; then
    engines_need_pkgs /usr/lib/postgresql:postgresql
    found="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)"
  fi
  echo "$found"
}

# Runs a PostgreSQL program as the owner of the cluster.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running_pid() {
  local pid
  [ -f "$data/postmaster.pid" ] || return 1
  pid="$(head -n1 "$data/postmaster.pid")"
  engines_pid_is_ours "$pid" "$data" && echo "$pid"
}

url() {
  local port password
  port="$(engines_state_get "$dir" PORT)"
  password="$(cat "$dir/password")"
  echo "postgres://tongban:$password@127.0.0.1:$port/tongban"
}

start() {
  local bin t0 port pid
  if pid="$(running_pid)"; then
    url
    return 0
  fi
  t0="$(engines_now_ms)"
  bin="$(pg_bin)"
  if [ ! -f "$data/PG_VERSION" ]; then
    rm -rf "$data"
    umask 077
    node -e 'console.log(require("crypto").randomBytes(18).toString("base64url"))' >"$dir/password"
    if [ "$(id -u)" = 0 ]; then
      chown -R postgres: "$dir"
      runuser -u postgres -- test -w "$dir" || engines_die "postgres: the user postgres cannot reach $dir (a parent folder is private)"
    fi
    as_owner "$bin/initdb" -D "$data" -U tongban --pwfile="$dir/password" --auth=scram-sha-256 \
      --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      engines_die "initdb failed"
    }
  fi
  port="${ENGINE_PORT:-$(engines_free_port)}"
  engines_state_set "$dir" PORT "$port"
  # Listening on a lab address too: clients on that wire's subnet may log in (with the password, scram).
  if [ -n "$ENGINE_LISTEN" ] && ! grep -q '^host all all samenet' "$data/pg_hba.conf"; then
    echo 'host all all samenet scram-sha-256' >>"$data/pg_hba.conf"
  fi
  [ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
  as_owner "$bin/pg_ctl" -D "$data" -l "$dir/postgres.log" -w -t 60 \
    -o "-p $port -c listen_addresses=127.0.0.1${ENGINE_LISTEN:+,$ENGINE_LISTEN} -c unix_socket_directories='$dir' -c fsync=on" \
    start >/dev/null || {
    tail -n 20 "$dir/postgres.log" >&2
    engines_die "PostgreSQL did not start (log: $dir/postgres.log)"
  }
  if ! PGPASSWORD="$(cat "$dir/password")" "$bin/psql" -qAt -h 127.0.0.1 -p "$port" -U tongban -d postgres \
    -c "select 1 from pg_database where datname = 'tongban'" | grep -q 1; then
    PGPASSWORD="$(cat "$dir/password")" "$bin/createdb" -h 127.0.0.1 -p "$port" -U tongban tongban
  fi
  pid="$(running_pid)"
  engines_state_set "$dir" PID "$pid"
  engines_state_set "$dir" URL "$(url)"
  engines_log "postgres: pid $pid on 127.0.0.1${ENGINE_LISTEN:+ and $ENGINE_LISTEN}:$port, data $data, started in $(($(engines_now_ms) - t0)) ms"
  url
}

stop() {
  local bin
  if ! running_pid >/dev/null; then
    engines_log "postgres: no instance of ours runs in $dir"
    return 0
  fi
  bin="$(pg_bin)"
  as_owner "$bin/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null
  engines_log "postgres: stopped the instance in $dir"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  url) running_pid >/dev/null || engines_die "postgres: not running in $dir"; url ;;
  *) engines_die "usage: postgres.sh start|stop|url [--dir DIR] [--port N] [--listen IP]" ;;
esac
