# syntax=docker/dockerfile:1.7
# One image for every Switchyard part (docker-compose.yml picks the part with SWITCHYARD_* variables).
#
# The apps run their TypeScript through tsx, as `npm start` and the tests do: no separate compile step whose
# output could drift from what was tested. tsx must therefore be a production dependency (root package.json
# "dependencies"), since the final stage installs with --omit=dev.
ARG NODE_IMAGE=node:20.19.5-bookworm-slim

# Only the manifests, so the dependency layers are rebuilt only when a package.json or the lock file changes.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /src
COPY . .
RUN mkdir /out && find . -name package.json -not -path '*/node_modules/*' -exec cp --parents {} /out \; \
 && cp package-lock.json .npmrc /out/

# Build: every dependency, then the console's static files.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build -w @switchyard/console

# Production dependencies only.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY --from=manifests /out/ ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080
WORKDIR /app
COPY --from=deps --chown=node:node /app/ ./
COPY --chown=node:node . .
COPY --from=build --chown=node:node /app/apps/console/dist ./apps/console/dist
# The embedded chDB folder, used only when CLICKHOUSE_URL is unset.
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "--import", "tsx", "apps/launcher/src/main.ts"]
