#!/usr/bin/env bash
# Replay and daemon start-up on a big log (default 1 M events): builds engine-core and its test
# classes with the reactor, then runs ReplayBenchmark with the JVM flags Chronicle Queue needs.
# Arguments: [events] [root to keep (reused as it is when it already holds a log)].
# BENCH_JAVA_OPTS adds JVM options, e.g. "-Dreplay.rounds=5 -Dreplay.only=true" (five replays, no daemon starts).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/bench-lib.sh
source bench/bench-lib.sh
bench_java_main engine-core 4g io.berth.engine.bench.ReplayBenchmark "$@"
