#!/bin/sh
# Runs a service's entry with bun under the memory settings every service gets, wherever it is started:
# `bun run <service>`, `bun run start`, the image (compose runs `bun run <service>`), and the tests and
# benches (`spawnService`). JavaScriptCore and mimalloc read these before any JavaScript runs (a .env
# file comes too late), so they can only be set around the process. A variable already set wins.
#   sh scripts/run-service.sh services/<name>/src/main.ts [args…]
#
# Under load a service's memory is JavaScript garbage not yet collected, and the pages the allocator
# keeps after a collection (bench/memory-5k.ts, bench/README.md "memory"):
# - BUN_JSC_forceRAMSize: JavaScriptCore sizes its heap's growth by the machine's RAM; on a 24 GB host
#   a service doubled its heap between collections and reached 200-370 MB RSS at 5,000 msg/s. Told
#   256 MiB, it collects sooner (enrichment at full speed 210 -> 162 MB at the same CPU per record).
#   Not a cap: a service that needs more heap still gets it. Raise it to trade memory for throughput.
# - BUN_JSC_minEdenToOldGenerationRatio: after a young-generation collection, a full one is scheduled
#   once the room left before the next full collection falls below this share of the heap (default
#   1/3). A batch's records outlive the young collections that run while it is handled, so garbage
#   piles up in the old generation between full collections; 0.5 collects it sooner.
# memory-5k, minEdenToOldGenerationRatio 0.5 against the default (3 interleaved pairs, load 2-8):
# peak RSS enrichment 170 -> 144, delivery 213 -> 198, alarms 162 -> 146, dashboard 210 -> 176,
# history 190 -> 189 MB; at full speed (pipeline.ts, 6 rounds) 28.0 us of enrichment CPU a record
# either way (passthrough 15.6 -> 16.2).
# Measured, not set: MIMALLOC_PURGE_DELAY=0 (bun's allocator, whose arena holds nearly all of a
# service's memory, returns freed pages at once instead of after 100 ms) took 5-25 MB more off, but
# with this setting cost +11 % enrichment and +24 % passthrough CPU a record at full speed;
# BUN_JSC_smallHeapGrowthFactor=1.5 took 20-30 MB more off at +21 % CPU a record. Either is the
# operator's trade to make (set it, and this script keeps it); history alone gets the first (below).
# Per service: the enriched topic's readers (the dashboard, delivery, history, alarms), which run paced
# beside the pipeline rather than in it, are told 128 MiB. Their live heaps are 20-45 MB, yet at 256 MiB
# they grew to twice that between full collections (the garbage of decoded enriched records). Each alone
# at 5,000 msg/s offered against 256 MiB, interleaved, 3 pairs (loaded machine):
# - the dashboard (bench/experiments/service-rss.ts) 169 / 166 / 160 -> 144 / 141 / 144 MB, CPU an
#   enriched record 65 -> 69 us median (runs 62-77 either way), caught up within 2.4 s after the load;
# - delivery (bench/experiments/delivery-rss.ts) 161 / 163 / 159 -> 136 / 145 / 141 MB, every item
#   delivered 13-16 s after the load either way, CPU an item 85.5 -> 84.6 us median;
# - history (service-rss.ts) 158.9 / 157.5 / 161.2 -> 148.8 / 147.7 / 148.2 MB at the same CPU paced,
#   but catching up at full speed (bench/history.ts, 3 pairs) it spends ~8 % (SQLite) and ~20 %
#   (PostgreSQL: 53.7-62.1 -> 65.2-67.7 us a message, 17.5-20.4k -> 16.6-17.7k msg/s written) more
#   CPU a message; raise it for a faster catch-up after an outage. smallHeapGrowthFactor=1.5 instead
#   took off half as much (153.5 MB);
# - alarms (in memory-5k, everything running, 3 pairs) 155 / 150 / 172 -> 148 / 149 / 160 MB, CPU a
#   record within the runs' spread.
# History also returns freed pages at once (MIMALLOC_PURGE_DELAY=0): most of its peak is outside the
# JavaScript heap (memory-5k: 163 MB RSS with a 37 MB heap), and it pays nothing measurable for it.
# memory-5k, 3 interleaved pairs with the cut enriched decoder on both sides (20:05-20:08, load 1.3-7.9):
# history 163 / 166 / 163 -> 155 / 144 / 160 MB, CPU a record paced 62.5 / 58.5 / 61.0 -> 64.5 / 61.0 /
# 61.6 us; catching up (bench/history.ts, 3 rounds) no cost measured: PostgreSQL 26.2 / 25.6 / 26.1 ->
# 24.8 / 25.9 / 24.7 us a message, SQLite 57.0 / 59.3 / 55.9 -> 53.1 / 64.5 / 55.6.
case "$1" in
  *services/history/*)
    : "${BUN_JSC_forceRAMSize:=134217728}" "${MIMALLOC_PURGE_DELAY:=0}"
    export MIMALLOC_PURGE_DELAY
    ;;
  *services/dashboard/* | *services/delivery/* | *services/alarms/*) : "${BUN_JSC_forceRAMSize:=134217728}" ;;
esac
: "${BUN_JSC_forceRAMSize:=268435456}"
: "${BUN_JSC_minEdenToOldGenerationRatio:=0.5}"
export BUN_JSC_forceRAMSize BUN_JSC_minEdenToOldGenerationRatio
exec bun "$@"
