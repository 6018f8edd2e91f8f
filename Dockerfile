# One image for every service: `docker compose` picks the service with the command.
FROM oven/bun:1.4.5-slim
WORKDIR /app
ENV NODE_ENV=production
# Services listen on loopback unless told otherwise; in a container they must be reachable from outside it.
ENV BIND_HOST=0.0.0.0
COPY package.json bun.lock bunfig.toml tsconfig.json ./
# package.json's patchedDependencies: the install applies them, and fails without them.
COPY patches ./patches
COPY services ./services
COPY gen ./gen
COPY config ./config
COPY web ./web
# `bun run <service>` starts it through this script, which sets the memory settings every service runs with.
COPY scripts/run-service.sh ./scripts/
RUN bun install --frozen-lockfile --production
USER bun
