#!/usr/bin/env bash
# Fetches Debian's mediasoup-worker 3.8.4 and the two libraries it needs that bookworm does not
# install by default, and unpacks them into .deps/mediasoup (no system change).
# A MEDIASOUP_WORKER_BIN already set in the environment wins: nothing is fetched.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${MEDIASOUP_WORKER_BIN:-}" ]; then
  echo "setup: using MEDIASOUP_WORKER_BIN=$MEDIASOUP_WORKER_BIN"; exit 0
fi
dest="$PWD/.deps/mediasoup"
worker="$dest/root/usr/lib/x86_64-linux-gnu/mediasoup/mediasoup-worker"
[ -x "$worker" ] && exit 0

echo "setup: fetching mediasoup-worker 3.8.4 (Debian experimental) with libsrtp2-1 and libusrsctp2 into .deps/mediasoup"
mkdir -p "$dest/apt/lists/partial" "$dest/apt/cache/archives/partial" "$dest/debs" "$dest/root"
cat > "$dest/apt/sources.sources" <<SRC
Types: deb
URIs: http://deb.debian.org/debian
Suites: experimental bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_opts=(-o "Dir::Etc::sourcelist=$dest/apt/sources.sources" -o Dir::Etc::sourceparts=/dev/null
  -o "Dir::State::Lists=$dest/apt/lists" -o "Dir::Cache=$dest/apt/cache" -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update -qq
( cd "$dest/debs" && apt-get "${apt_opts[@]}" download -qq \
    mediasoup-worker=3.8.4~dfsg1-1 libsrtp2-1 libusrsctp2 )
for deb in "$dest"/debs/*.deb; do dpkg -x "$deb" "$dest/root"; done
[ -x "$worker" ] || { echo "setup: mediasoup-worker was not found after unpacking" >&2; exit 1; }
echo "setup: mediasoup worker ready at $worker"
