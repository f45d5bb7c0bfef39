#!/usr/bin/env bash
# Installs what Tongban Desk needs from Debian, once, printing what it installs.
# Debian packages: PDF checks (poppler-utils, qpdf, NSS tools), CJK fonts, ffmpeg, chromium, softhsm2
# (the PKCS#11 token holding the platform keys in tests and the demo), and
# python3-asn1crypto (the strict ASN.1 parser of endesive-style validators, used by the TSA tests;
# Debian's own /usr/bin/python3, whatever python3 comes first on PATH), and tesseract-ocr with
# tesseract-ocr-chi-sim (OCR of the ID card snapshot).
# The mediasoup worker comes from Debian's experimental suite, unpacked into .deps/ (see
# ../shared/media-notes.md): newer workers cannot be built here.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
have() { command -v "$1" >/dev/null 2>&1; }
have pdfsig || need+=(poppler-utils)
have qpdf || need+=(qpdf)
have certutil || need+=(libnss3-tools)
have ffmpeg || need+=(ffmpeg)
have chromium || need+=(chromium)
have openssl || need+=(openssl)
have sha256sum || need+=(coreutils)
have unzip || need+=(unzip)
have softhsm2-util || need+=(softhsm2)
# Redis for the cluster mode's shared state (scripts/engines/redis.sh starts a private instance; the
# Debian service is never used).
have redis-server || need+=(redis-server)
/usr/bin/python3 -c 'import asn1crypto' >/dev/null 2>&1 || need+=(python3-asn1crypto)
# The network-fault tests: namespaces, veths and tbf (iproute2), and the impairer (Debian's python3).
have tc || need+=(iproute2)
[ -x /usr/bin/python3 ] || need+=(python3)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || need+=(fonts-noto-cjk)
[ -f /usr/share/keyrings/debian-archive-keyring.gpg ] || need+=(debian-archive-keyring)
# ID card reading (issue 15 §2): the tesseract CLI with its Simplified Chinese model.
have tesseract || need+=(tesseract-ocr)
[ -f /usr/share/tesseract-ocr/5/tessdata/chi_sim.traineddata ] || need+=(tesseract-ocr-chi-sim)

if [ ${#need[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${need[@]}" >/dev/null
  echo "setup: installed ${need[*]}"
fi

# Cluster mode (issue 14): PostgreSQL and Ceph (the S3 server of the cluster tests).
bash scripts/setup-cluster-engines.sh

bash scripts/setup-mediasoup-worker.sh
