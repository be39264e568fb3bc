# routined: multi-stage build, runs as a non-root user, `routined start` as the entrypoint so that
# SIGTERM from `docker stop` reaches the server itself (graceful shutdown, exit 0).
#
#   docker build -t routined .
#   docker run -p 3100:3100 -e HOST=0.0.0.0 -e ROUTINED_DEPLOYMENT_MODE=authenticated \
#     -e ROUTINED_BOARD_TOKEN=... -v routined-data:/data routined
#
# The entrypoint command is tested outside Docker (test/embedded/signals.test.ts).

# The build: dist/ (server, CLI, dashboard, migrations, and the embedded-database template) needs the dev tools.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build

# What runs: the production dependencies only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    ROUTINED_DATA_DIR=/data/pglite \
    ROUTINED_LOG_FORMAT=json \
    PORT=3100
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3100
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3100)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/routined.js"]
CMD ["start"]
