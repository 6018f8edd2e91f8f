# One image for every service: `docker compose` picks the service with the command.
FROM oven/bun:1.4.5-slim
WORKDIR /app
ENV NODE_ENV=production
# Services listen on loopback unless told otherwise; in a container they must be reachable from outside it.
ENV BIND_HOST=0.0.0.0
# JavaScriptCore sizes its heap's growth by the machine's RAM: on a 24 GB host a service doubles its heap
# between collections and reached 200-370 MB RSS at 5,000 msg/s, mostly garbage not yet collected. Told
# 256 MiB, it collects sooner: enrichment at full speed peaked at 162 MB instead of 210 MB at the same CPU
# per record; 128 MiB went lower still but cost ~40 % more CPU per record at full speed (bench/README.md,
# "Memory"). Not a cap: a service that needs more heap still gets it. Bun's maintainers name this
# variable as its --max-old-space-size; set it per service (its `environment:`) to trade otherwise.
ENV BUN_JSC_forceRAMSize=268435456
COPY package.json bun.lock bunfig.toml tsconfig.json ./
COPY services ./services
COPY gen ./gen
COPY config ./config
COPY web ./web
RUN bun install --frozen-lockfile --production
USER bun
