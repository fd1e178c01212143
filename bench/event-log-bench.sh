#!/usr/bin/env bash
# Runs the event log benchmark from a clean checkout: builds the module and its test classes with
# the reactor (nothing is installed into ~/.m2), then runs EventLogBenchmark with the JVM flags
# Chronicle Queue needs. Extra arguments go to the benchmark: [directory] [events to read back].
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -pl event-log -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
# The flags are the root pom's chronicle.jvm.args, read from it so there is one list.
flags="$(sed -n 's:.*<chronicle.jvm.args>\(.*\)</chronicle.jvm.args>.*:\1:p' pom.xml)"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" $flags -Xmx2g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "event-log/target/test-classes:event-log/target/classes:$(cat "$cp_file")" \
    io.berth.eventlog.bench.EventLogBenchmark "$@"
