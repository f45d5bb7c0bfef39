#!/usr/bin/env bash
# A private S3 server: Ceph's RADOS Gateway (radosgw, Debian bookworm's Ceph 16.2 "pacific") on a
# one-node Ceph cluster of its own — one monitor, one OSD on memstore (objects in the OSD's memory:
# a test and demo store, gone when the OSD stops) and radosgw with the beast frontend — all on
# free loopback ports, every file under one directory:
#   s3.sh start [--dir DIR] [--port N] [--listen IP]   prints the endpoint URL; keys and bucket in DIR/state.env
#   s3.sh stop  [--dir DIR]              stops the daemons whose pids DIR holds (nothing else)
#   s3.sh env   [--dir DIR]              prints TONGBAN_S3_* lines for the running instance
# DIR defaults to .cluster/s3. No systemd: the daemons are started directly with a generated
# ceph.conf; cephx is off (auth none) because the monitor and the OSD listen on 127.0.0.1 only (with
# --listen, radosgw alone also listens on that lab address; S3 requests still need the keys). No ceph-mgr:
# radosgw needs only the monitor and the OSD (the mgr would add statistics and dashboards).
# The bucket `tongban` is created with Object Lock enabled (S3 needs it at creation).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

engines_parse_args s3 "$@" # sets cmd, dir
conf="$dir/ceph.conf"
bucket=tongban
daemons=(mon osd rgw)

ceph_() { ceph -c "$conf" --connect-timeout 20 "$@"; }

running() { # every daemon we started is alive
  local d
  for d in "${daemons[@]}"; do engines_pid_is_ours "$(engines_state_get "$dir" "PID_$d")" "$dir" || return 1; done
}

print_env() {
  echo "TONGBAN_S3_ENDPOINT=$(engines_state_get "$dir" URL)"
  echo "TONGBAN_S3_BUCKET=$bucket"
  echo "TONGBAN_S3_ACCESS_KEY=$(engines_state_get "$dir" ACCESS_KEY)"
  echo "TONGBAN_S3_SECRET_KEY=$(engines_state_get "$dir" SECRET_KEY)"
  echo "TONGBAN_S3_REGION=default"
}

# Starts a daemon that forks itself (ceph daemons do) and records the pid from its pid file.
start_daemon() { # name pidfile command…
  local name="$1" pidfile="$2" i
  shift 2
  "$@" >>"$dir/log/$name.out" 2>&1 || {
    tail -n 30 "$dir/log/$name.out" "$dir/log/"*"$name"*.log 2>/dev/null >&2 || true
    engines_die "s3: $name did not start (logs in $dir/log)"
  }
  for ((i = 0; i < 300; i++)); do
    [ -s "$pidfile" ] && break
    sleep 0.1
  done
  [ -s "$pidfile" ] || engines_die "s3: $name wrote no pid file"
  engines_state_set "$dir" "PID_$name" "$(cat "$pidfile")"
}

start() {
  local t0 t fsid mon_port rgw_port osd_uuid access secret i
  if running; then
    engines_state_get "$dir" URL
    return 0
  fi
  stop quiet
  t0="$(engines_now_ms)"
  engines_need_pkgs ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw ceph:ceph-common
  rm -rf "$dir/mon" "$dir/osd" "$dir/run" "$dir/log" "$dir/monmap" "$dir/state.env"
  mkdir -p "$dir/mon" "$dir/osd/ceph-0" "$dir/run" "$dir/log" "$dir/rgw"
  fsid="$(cat /proc/sys/kernel/random/uuid)"
  mon_port="$(engines_free_port)"
  rgw_port="${ENGINE_PORT:-$(engines_free_port)}"
  cat >"$conf" <<CONF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$mon_port
public addr = 127.0.0.1
ms bind ipv6 = false
# radosgw asks the monitor for a "secure" session by default, which auth none cannot give
ms mon client mode = crc secure
ms client mode = crc secure
auth cluster required = none
auth service required = none
auth client required = none
auth allow insecure global id reclaim = false
run dir = $dir/run
admin socket = $dir/run/\$name.asok
pid file = $dir/run/\$name.pid
log file = $dir/log/\$name.log
log to stderr = false
err to stderr = true
mon data = $dir/mon/\$cluster-\$id
osd data = $dir/osd/\$cluster-\$id
osd objectstore = memstore
memstore device bytes = 4294967296
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd crush chooseleaf type = 0
osd max object name len = 460
osd max object namespace len = 64
[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:$rgw_port${ENGINE_LISTEN:+ endpoint=$ENGINE_LISTEN:$rgw_port}
rgw data = $dir/rgw
rgw dns name = 127.0.0.1
rgw enable usage log = false
CONF
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$mon_port]" "$dir/monmap" >/dev/null
  ceph-mon -c "$conf" --mkfs -i a --monmap "$dir/monmap" >>"$dir/log/mon.out" 2>&1 ||
    { cat "$dir/log/mon.out" >&2; engines_die "s3: ceph-mon --mkfs failed"; }
  start_daemon mon "$dir/run/mon.a.pid" ceph-mon -c "$conf" -i a
  t="$(engines_now_ms)"
  engines_log "s3: ceph-mon up in $((t - t0)) ms"
  osd_uuid="$(cat /proc/sys/kernel/random/uuid)"
  ceph_ osd new "$osd_uuid" 0 >/dev/null
  ceph-osd -c "$conf" -i 0 --mkfs --osd-uuid "$osd_uuid" >>"$dir/log/osd.out" 2>&1 ||
    { cat "$dir/log/osd.out" >&2; engines_die "s3: ceph-osd --mkfs failed"; }
  start_daemon osd "$dir/run/osd.0.pid" ceph-osd -c "$conf" -i 0
  for ((i = 0; i < 600; i++)); do
    ceph_ osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1' && break
    sleep 0.1
  done
  ceph_ osd stat -f json | grep -q '"num_up_osds":1' || engines_die "s3: the OSD did not come up (log: $dir/log/osd.0.log)"
  engines_log "s3: ceph-osd (memstore) up in $(($(engines_now_ms) - t)) ms"
  t="$(engines_now_ms)"
  start_daemon rgw "$dir/run/client.rgw.a.pid" radosgw -c "$conf" -n client.rgw.a
  engines_wait_port "$rgw_port" 120 radosgw
  engines_log "s3: radosgw (beast) up in $(($(engines_now_ms) - t)) ms"
  access="$(node -e 'console.log(require("crypto").randomBytes(10).toString("hex").toUpperCase())')"
  secret="$(node -e 'console.log(require("crypto").randomBytes(30).toString("base64url"))')"
  radosgw-admin -c "$conf" user create --uid=tongban --display-name=Tongban \
    --access-key="$access" --secret-key="$secret" >/dev/null
  engines_state_set "$dir" URL "http://127.0.0.1:$rgw_port"
  engines_state_set "$dir" ACCESS_KEY "$access"
  engines_state_set "$dir" SECRET_KEY "$secret"
  engines_state_set "$dir" BUCKET "$bucket"
  engines_state_set "$dir" SERVER "ceph-radosgw $(ceph --version | awk '{print $3}')"
  engines_state_set "$dir" STARTUP_MS "$(($(engines_now_ms) - t0))"
  engines_log "s3: Ceph radosgw at http://127.0.0.1:$rgw_port, started in $(($(engines_now_ms) - t0)) ms (dir $dir)"
  engines_state_get "$dir" URL
}

stop() {
  local d any=""
  for d in rgw osd mon; do
    pid="$(engines_state_get "$dir" "PID_$d")"
    if engines_pid_is_ours "$pid" "$dir"; then
      engines_stop_pid "$pid" "$dir" 20
      any=1
    fi
  done
  [ "${1:-}" = quiet ] && return 0
  if [ -n "$any" ]; then engines_log "s3: stopped the Ceph daemons of $dir"; else engines_log "s3: no instance of ours runs in $dir"; fi
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  env) running || engines_die "s3: not running in $dir"; print_env ;;
  *) engines_die "usage: s3.sh start|stop|env [--dir DIR] [--port N] [--listen IP]" ;;
esac
