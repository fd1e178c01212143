#!/usr/bin/env bash
# The event log benchmark (docs/PERFORMANCE.md): builds event-log and its test classes with the reactor
# (nothing is installed into ~/.m2), then runs EventLogBenchmark with the JVM flags Chronicle Queue needs.
# Arguments go to the benchmark: [directory] [events to read back].
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/bench-lib.sh
source bench/bench-lib.sh
bench_java_main event-log 2g io.berth.eventlog.bench.EventLogBenchmark "$@"
