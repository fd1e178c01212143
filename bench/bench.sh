#!/usr/bin/env bash
# Replay and daemon start-up on a big log (default 1 M events): builds engine-core and its test
# classes with the reactor, then runs ReplayBenchmark with the JVM flags Chronicle Queue needs.
# Arguments: [events] [root to keep (reused as it is when it already holds a log)].
# BENCH_JAVA_OPTS adds JVM options, e.g. "-Dreplay.rounds=5 -Dreplay.only=true" (five replays, no daemon starts).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
cp_file="$(mktemp)"
trap 'rm -f "$cp_file"' EXIT
mvn -q -B -pl engine-core -am test-compile dependency:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file" >/dev/null
flags="$(sed -n 's:.*<chronicle.jvm.args>\(.*\)</chronicle.jvm.args>.*:\1:p' pom.xml)"
# shellcheck disable=SC2086
exec "$JAVA_HOME/bin/java" $flags ${BENCH_JAVA_OPTS:-} -Xmx4g -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
    -cp "engine-core/target/test-classes:engine-core/target/classes:$(cat "$cp_file")" \
    io.berth.engine.bench.ReplayBenchmark "$@"
