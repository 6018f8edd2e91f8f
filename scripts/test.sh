#!/usr/bin/env bash
# The test suite, ending with one line "N passed, N failed" taken from bun's summary (bun's exit code kept).
#   bash scripts/test.sh [paths…]         the whole suite (`bun run test`): starts a local Kafka broker unless
#                                         KAFKA_BROKERS names one, installs Chromium for the browser test
#   bash scripts/test.sh --unit [paths…]  the unit lane (`bun run test:unit`): every test under a service's
#                                         src/, with no broker, database or browser (KAFKA_BROKERS is unset)
# Unit tests live next to the code in services/*/src; tests that need Kafka, PostgreSQL, a browser or
# other processes live in services/*/test and test/.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started=""
if [[ "${1:-}" == "--unit" ]]; then
  shift
  unset KAFKA_BROKERS
  [[ $# -eq 0 ]] && set -- services/*/src
else
  # The dashboard's browser test drives Debian's Chromium (no browser download works here).
  if [[ ! -x /usr/bin/chromium && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing chromium for the browser test"
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  fi
  # The ingest tests publish with mosquitto_pub, a device's everyday client.
  if ! command -v mosquitto_pub >/dev/null && [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing mosquitto-clients for the ingest tests"
    apt-get update -qq && apt-get install -y -qq mosquitto-clients >/dev/null
  fi
  if [[ -z "${KAFKA_BROKERS:-}" ]]; then
    if ! bash scripts/kafka.sh status >/dev/null 2>&1; then
      bash scripts/kafka.sh start || { echo "could not start Kafka"; echo "0 passed, 1 failed"; exit 1; }
      started=1
    fi
    export KAFKA_BROKERS="127.0.0.1:${KAFKA_PORT:-9092}"
  fi
  echo "broker: $(bash scripts/kafka.sh status 2>/dev/null || echo "external") at $KAFKA_BROKERS"
fi

log=$(mktemp)
# bunfig.toml has no per-test timeout setting that bun 1.4 honours; the flag does (slow machines, servers in tests).
bun test --timeout 30000 "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
[[ -n "$started" ]] && bash scripts/kafka.sh stop >/dev/null

# A CI log keeps the end of the output: each failure's error goes there too, before the summary.
if [[ "$code" != 0 ]]; then
  echo "--- why each test failed"
  awk -v keep=60 -f scripts/test-failures.awk "$log"
fi

passed=$(grep -Eo '^ *[0-9]+ pass$' "$log" | tail -1 | grep -Eo '[0-9]+')
failed=$(grep -Eo '^ *[0-9]+ fail$' "$log" | tail -1 | grep -Eo '[0-9]+')
rm -f "$log"
# No summary at all (bun crashed or found nothing) is a failure, never "0 failed".
if [[ -z "$passed" && -z "$failed" ]]; then echo "0 passed, 1 failed"; exit $(( code == 0 ? 1 : code )); fi
echo "${passed:-0} passed, ${failed:-0} failed"
exit "$code"
