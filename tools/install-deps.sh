#!/usr/bin/env bash
# Installs the Debian packages obsync needs to build and test, and the test Kafka broker's jars; silent when all are present.
set -euo pipefail
packages=(
  g++ cmake make pkg-config uuid-dev
  antlr4 libantlr4-runtime-dev      # grammar tool 4.7.2 + C++ runtime 4.9
  libfmt-dev catch2 libcli11-dev nlohmann-json3-dev libedit-dev
  llvm-14-dev                       # the JIT: LLVM ORC, pinned to bookworm's default major
  libicu-dev                        # REGEXP with ICU, as MySQL 8
  libjemalloc-dev                   # allocator: the parse tree and message paths allocate a lot
  libssl-dev                        # SHA1/SHA2/MD5 for the masking functions
  libzstd-dev zlib1g-dev
  libmariadb-dev mariadb-server mariadb-client   # client library + private test server
  librdkafka-dev
  openjdk-17-jdk-headless maven     # the test Kafka broker (4.x needs Java 17; tests run .java files)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# The integration tests' Kafka broker: jars from Maven Central into ~/.cache/obsync (a no-op when
# cached). Keep the version in step with kDefaultKafkaVersion in tests/infra/kafka_broker.hpp.
bash "$(dirname "$0")/fetch-kafka.sh" 4.4.0
# Flink's canal-json / debezium-json readers for the format compatibility test (a no-op when cached).
flink_lib=${OBSYNC_FLINK_LIB:-${OBSYNC_CACHE:-$HOME/.cache/obsync}/flink-1.20.0/lib}
if [ ! -f "$flink_lib/flink-json-1.20.0.jar" ]; then
  mvn -q -B -f "$(dirname "$0")/../tests/integration/flink/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$flink_lib" >/dev/null || { echo "install-deps: cannot fetch Flink's jars with Maven" >&2; exit 1; }
fi
