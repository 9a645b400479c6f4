#!/usr/bin/env bash
# Fetches the Kafka broker jars (kafka_2.13:VERSION + runtime deps) from Maven Central for tests.
#
# usage: tools/fetch-kafka.sh VERSION [DEST]
#   DEST defaults to ${OBSYNC_CACHE:-$HOME/.cache/obsync}/kafka-VERSION; the jars land in DEST/libs.
# Silent and instant when DEST/libs is complete already (install-deps.sh runs it on every make).
# Only the machine's `mvn` talks to the network: the Kafka tarball site is not reachable here,
# while Maven Central serves the same jars the distribution's libs/ folder holds.
set -euo pipefail

version=${1:?usage: tools/fetch-kafka.sh VERSION [DEST]}
dest=${2:-${OBSYNC_CACHE:-$HOME/.cache/obsync}/kafka-$version}
libs=$dest/libs
stamp=$dest/.complete

[ -f "$stamp" ] && [ -d "$libs" ] && exit 0

command -v mvn >/dev/null || { echo "fetch-kafka: mvn not found (apt-get install maven)" >&2; exit 1; }

# The pom's dependency list is the broker's; the logging back end is ours to add because Kafka
# declares its slf4j binding only in the distribution's build, not in the published pom. Each
# broker line logs through a different stack, matching what its own tarball ships:
#   4.x  log4j2 (log4j-core + log4j-slf4j2-impl; the config is log4j2 properties)
#   3.x  reload4j through slf4j-reload4j (log4j 1.2 API)
#   2.x  log4j 1.2.17 through slf4j-log4j12 (ZooKeeper's jars log through it too)
major=${version%%.*}
case "$major" in
  4) logging='
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-core</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId><version>2.24.3</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.17</version></dependency>' ;;
  3) logging='
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>' ;;
  *) logging='
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-log4j12</artifactId><version>1.7.30</version></dependency>
    <dependency><groupId>log4j</groupId><artifactId>log4j</artifactId><version>1.2.17</version></dependency>' ;;
esac

work=$(mktemp -d "${TMPDIR:-/tmp}/obsync-fetch-kafka-XXXXXX")
trap 'rm -rf "$work"' EXIT
cat >"$work/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>obsync.test</groupId>
  <artifactId>kafka-broker-libs</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
$logging
  </dependencies>
</project>
EOF
echo "fetch-kafka: resolving org.apache.kafka:kafka_2.13:$version from Maven Central" >&2
# Into a fresh folder first, so an interrupted run never leaves a half-filled libs/ marked done.
if ! mvn -B -q -Dstyle.color=never -f "$work/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$work/libs" >"$work/mvn.log" 2>&1; then
  echo "fetch-kafka: Maven could not resolve kafka_2.13:$version (is Maven Central reachable?):" >&2
  # Maven's "Failed to execute goal" line names the artifact and the cause (unknown host,
  # connection refused, not found); the rest of its output is boilerplate.
  sed 's/\x1b\[[0-9;]*m//g' "$work/mvn.log" | grep -m1 'Failed to execute goal' >&2 ||
    tail -15 "$work/mvn.log" >&2
  exit 1
fi
if ! ls "$work/libs"/kafka_2.13-"$version".jar >/dev/null 2>&1; then
  echo "fetch-kafka: Maven finished but kafka_2.13-$version.jar is missing in $work/libs" >&2
  exit 1
fi

mkdir -p "$dest"
rm -rf "$libs"
mv "$work/libs" "$libs"
touch "$stamp"
echo "fetch-kafka: $(ls "$libs" | wc -l) jars in $libs" >&2
