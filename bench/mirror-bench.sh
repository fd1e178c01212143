#!/usr/bin/env bash
# The Kafka mirror benchmark (docs/PERFORMANCE.md, "Kafka mirror"): builds event-log and its test classes
# with the reactor, starts a real one-node broker from the test class path, and prints the mirror's
# throughput and the lag after a burst. Argument: the number of events per run (default 1,000,000).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=bench/bench-lib.sh
source bench/bench-lib.sh
bench_java_main event-log 1g io.berth.eventlog.bench.MirrorBenchmark "$@"
