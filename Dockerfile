# syntax=docker/dockerfile:1
# One image for both roles: the edge by default, the processor with
#   docker run … order-service node dist/src/processor/main.js
# Built by people with Docker (docker compose build); the CI machine has no engine.

# ---- build: dev dependencies, librdkafka compiled against Debian's libs, tsc → dist/ ----
FROM node:20-bookworm AS build
# @confluentinc/kafka-javascript builds librdkafka from source with CKJS_LINKING=dynamic
# (same recipe as the local stack); node:20-bookworm already has gcc, make and python3.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libssl-dev libsasl2-dev zlib1g-dev libzstd-dev liblz4-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN CKJS_LINKING=dynamic npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
# Compile, then drop dev dependencies in place: the compiled librdkafka binding stays.
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: slim Node, only the shared libraries librdkafka links against ----
FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libssl3 libsasl2-2 zlib1g libzstd1 liblz4-1 libcurl4 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# `order-service edge|processor|all|dlq` (runs dist/ here: the image has no sources)
COPY bin ./bin
COPY ops/docker/healthcheck.mjs ./ops/docker/healthcheck.mjs
USER node
# 8001: edge HTTP (PORT); 8002: processor ops port (PROCESSOR_PORT).
EXPOSE 8001 8002
# Liveness of the default role (the edge); compose overrides it per service.
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "ops/docker/healthcheck.mjs"]
# Exec form: node is PID 1 and gets SIGTERM directly (clean stop, src/shared/process-lifecycle.ts).
CMD ["node", "dist/src/edge/main.js"]
