# The ledger's production image (docs/operations.md, "Packaging"). Built in one stage with every
# dependency, run from another with the runtime dependencies only (`npm ci --omit=dev`), as the
# unprivileged `node` user. Two targets from one runtime: `api` (the default: the last stage)
# with a health check, and `worker`.
#
#   docker build -t rider-ledger .                  # the API
#   docker build -t rider-ledger-worker --target worker .
#
# Not built on the development machine (it has no Docker engine): test/docker-compose.spec.ts checks
# this file, and the runtime stage's steps were run by hand there (docs/operations.md).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# The embedded store's folder, when EVENT_STORE=embedded (mount a volume here to keep it).
RUN mkdir -p /app/data && chown node:node /app/data
ENV DATA_DIR=/app/data
USER node

FROM runtime AS worker
CMD ["node", "dist/apps/worker/src/main.js"]

FROM runtime AS api
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/apps/api/src/main.js"]
