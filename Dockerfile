# syntax=docker/dockerfile:1
# `walkie relay` in a container: the relay alone, no agent, no editor (docs/relay.md, "On a small server").
# compose.yaml puts Caddy in front of it for automatic HTTPS; on its own the image serves plain HTTP on 8787
# (give it --tls-cert/--tls-key and mount the files to serve HTTPS itself).
#
# Stage 1 builds the bundle. Install scripts are skipped (the dev dependencies fetch editors, agent CLIs and
# browsers for the tests, none of which the relay needs); only node-pty is compiled, because the build copies
# it into dist/ — against the image's own Node headers, as scripts/setup.sh does, so nothing is downloaded.
FROM node:20-bookworm AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund \
 && npm_config_yes=true npm_config_nodedir=/usr/local npm rebuild node-pty
COPY tsconfig.json ./
COPY scripts ./scripts
COPY src ./src
COPY webview-ui ./webview-ui
COPY media ./media
RUN node scripts/build.mjs --production

# Stage 2: Node and two things from dist/ — the CLI bundle (the relay's code, ws and zod included) and the
# phone's web app it serves. No node_modules: the relay loads none at run time.
FROM node:20-bookworm-slim
COPY --from=build /src/dist/cli.js /opt/walkie/cli.js
COPY --from=build /src/dist/webview /opt/walkie/webview
# The image's unprivileged user; the relay writes nothing, so the root filesystem can be read-only.
USER node
EXPOSE 8787
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s \
  CMD ["node", "-e", "require('http').get('http://127.0.0.1:8787/healthz',(r)=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"]
# SIGTERM (docker stop) drains: clients are told to reconnect (1001), then the relay exits; allow it 10 s.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/opt/walkie/cli.js", "relay"]
CMD ["--bind", "0.0.0.0", "--port", "8787"]
