#!/usr/bin/env bash
# Installs the Debian packages obsync needs to build and test; silent when all are present.
set -euo pipefail
packages=(
  g++ cmake make pkg-config uuid-dev
  antlr4 libantlr4-runtime-dev      # grammar tool 4.7.2 + C++ runtime 4.9
  libfmt-dev catch2 libcli11-dev nlohmann-json3-dev libedit-dev
  libicu-dev                        # REGEXP with ICU, as MySQL 8
  libjemalloc-dev                   # allocator: the parse tree and message paths allocate a lot
  libssl-dev                        # SHA1/SHA2/MD5 for the masking functions
  libzstd-dev zlib1g-dev
  libmariadb-dev mariadb-server mariadb-client   # client library + private test server
  librdkafka-dev default-jre-headless
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
