#!/usr/bin/env bash
# Quick start, third command (issue 14 §5): a local cluster on this machine.
#   bash scripts/cluster.sh [--nodes N] [--dir DIR]   start (default 4 nodes, DIR .cluster)
#   bash scripts/cluster.sh stop [--dir DIR]          stop the nodes and the engines started in DIR, remove their data
# Starts private PostgreSQL, Redis and S3 (Ceph radosgw) instances on free loopback ports
# (scripts/engines/*.sh: Debian packages installed when missing, every file under DIR, never an
# instance this script did not start), prepares one shared installation (schema, platform PKI,
# accounts, demo data) on PostgreSQL once, and starts the nodes (bench/cluster.ts), each `tongban serve`
# with a data directory of its own and the cluster's settings: api-1, api-2 (TONGBAN_NODE_ROLE=api: the
# web client, the API and the browsers' sockets, media signalling relayed) and media-1, media-2
# (TONGBAN_NODE_ROLE=media: rooms and recordings; media-1 serves the Zhejiang and Shanghai sites
# first, media-2 兴仁's). Prints each node's URL and role and the engines' addresses.
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=start
[ "${1:-}" = stop ] || [ "${1:-}" = start ] && { cmd="$1"; shift; }
dir=.cluster nodes=4
while [ $# -gt 0 ]; do
  case "$1" in
    --nodes) nodes="$2"; shift 2 ;;
    --dir) dir="$2"; shift 2 ;;
    *) echo "usage: bash scripts/cluster.sh [start|stop] [--nodes N] [--dir DIR]" >&2; exit 2 ;;
  esac
done
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

if [ "$cmd" = stop ]; then
  node --import tsx bench/cluster.ts stop --dir "$dir"
  for engine in s3 redis postgres; do bash "scripts/engines/$engine.sh" stop --dir "$dir/$engine"; done
  # The S3 server keeps its objects in memory (memstore): they are gone, so the metadata that names
  # them goes too, and the next start prepares a fresh installation rather than a half one.
  rm -rf "$dir/nodes" "$dir/install" "$dir/install.root.pem" "$dir/install.log" "$dir/audit-anchor" \
    "$dir/postgres" "$dir/redis" "$dir/s3"
  echo "cluster: stopped; its data is removed (the S3 store was in memory)"
  exit 0
fi

bash scripts/setup.sh
bash scripts/setup-cluster-engines.sh
source scripts/worker-env.sh
# PostgreSQL runs as the user postgres when this runs as root: it must pass through to its folder.
chmod 711 "$dir"

echo "cluster: starting PostgreSQL, Redis and the S3 server (installing Debian packages when missing)…"
TONGBAN_DATABASE_URL="$(bash scripts/engines/postgres.sh start --dir "$dir/postgres")"
TONGBAN_REDIS_URL="$(bash scripts/engines/redis.sh start --dir "$dir/redis")"
bash scripts/engines/s3.sh start --dir "$dir/s3" >/dev/null
set -a
eval "$(bash scripts/engines/s3.sh env --dir "$dir/s3")"
set +a
export TONGBAN_DATABASE_URL TONGBAN_REDIS_URL

node --import tsx bench/cluster.ts start --dir "$dir" --nodes "$nodes"

stop_dir=""
[ "$dir" = "$(pwd)/.cluster" ] || stop_dir=" --dir $dir"
# Addresses without their passwords (those are in the engines' folders).
hide() { sed -E 's#//([^:/@]+):[^@]*@#//\1:***@#'; }
cat <<EOF
cluster: engines
  PostgreSQL  $(echo "$TONGBAN_DATABASE_URL" | hide)   (password in $dir/postgres/password)
  Redis       $(echo "$TONGBAN_REDIS_URL" | hide)   (password in $dir/redis/password)
  S3          $TONGBAN_S3_ENDPOINT bucket $TONGBAN_S3_BUCKET   (keys: bash scripts/engines/s3.sh env --dir $dir/s3)
cluster: demo accounts as in \`tongban demo\` (password tongban-demo); stop with: bash scripts/cluster.sh stop$stop_dir
EOF
