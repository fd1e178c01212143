#!/usr/bin/env bash
# Runs the Kafka mirror benchmark (docs/PERFORMANCE.md, "Kafka mirror"): builds event-log and its test
# classes with the reactor (nothing is installed into ~/.m2), starts a real one-node broker from the
# test class path, and prints the mirror's throughput and the lag after a burst.
# Argument: the number of events per run (default 1,000,000).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -pl event-log -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
flags="$(sed -n 's:.*<chronicle.jvm.args>\(.*\)</chronicle.jvm.args>.*:\1:p' pom.xml)"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" $flags -Xmx1g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "event-log/target/test-classes:event-log/target/classes:$(cat "$cp_file")" \
    io.berth.eventlog.bench.MirrorBenchmark "$@"
