#!/usr/bin/env bash
# Cluster mode's engines from Debian (issue 14), installed when missing, printing what: PostgreSQL
# (scripts/engines/postgres.sh) and Ceph's monitor, OSD, RADOS Gateway and CLI for the private S3
# server (scripts/engines/s3.sh); flock (util-linux) lets test files share one instance. Redis
# comes with scripts/engines/redis.sh. Installing starts nothing: the engine scripts start private
# instances on free loopback ports and stop only those.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/engines/lib.sh
engines_need_pkgs /usr/lib/postgresql:postgresql ceph-mon:ceph-mon ceph-osd:ceph-osd radosgw:radosgw \
  ceph:ceph-common flock:util-linux
