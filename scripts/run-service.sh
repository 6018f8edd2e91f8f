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
# - MIMALLOC_PURGE_DELAY: bun's allocator (mimalloc; its arena holds nearly all of a service's memory,
#   the JavaScript heap too) returns freed pages to the system after this many ms (default 100); 0
#   returns them at once.
# These two together, memory-5k (4 interleaved pairs, load 9-14): peak RSS enrichment 164 -> 143,
# delivery 235 -> 222, alarms 174 -> 148, history 195 -> 178, dashboard 211 -> 185 MB; enrichment at
# full speed 28.1 -> 28.7 (minEden) and 29.9 (purge) us of CPU a record, within noise.
# BUN_JSC_smallHeapGrowthFactor=1.5 went lower still (delivery 200, dashboard 155) but cost ~20 %
# more CPU a record at full speed: not set.
: "${BUN_JSC_forceRAMSize:=268435456}"
: "${BUN_JSC_minEdenToOldGenerationRatio:=0.5}"
: "${MIMALLOC_PURGE_DELAY:=0}"
export BUN_JSC_forceRAMSize BUN_JSC_minEdenToOldGenerationRatio MIMALLOC_PURGE_DELAY
exec bun "$@"
