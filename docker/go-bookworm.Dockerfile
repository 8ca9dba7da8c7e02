# WasmHub builder: Go 1.21, 1.22, 1.23 (Debian bookworm-backports), each at /usr/lib/go-1.NN/bin/go.
# Built by tools/pipeline/src/docker/image.ts and tagged wasmhub-builder/go-bookworm:<hash of this file>.
FROM debian:bookworm-slim

# Backports come from the same mirror the base image already uses (never a hard-coded host).
RUN set -eu; \
    mirror="$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $1; exit}')"; \
    if [ -z "$mirror" ]; then mirror="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit } }' /etc/apt/sources.list)"; fi; \
    test -n "$mirror"; \
    echo "deb $mirror bookworm-backports main" > /etc/apt/sources.list.d/backports.list; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t bookworm-backports \
      golang-1.21-go golang-1.22-go golang-1.23-go; \
    apt-get clean; rm -rf /var/lib/apt/lists/*; \
    useradd --uid 1000 --user-group --create-home --shell /bin/sh builder

USER builder
WORKDIR /home/builder
