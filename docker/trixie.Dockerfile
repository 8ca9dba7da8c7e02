# WasmHub builder on Debian trixie:
#   Go 1.24 (trixie) and 1.25-1.27 (trixie-backports), each at /usr/lib/go-1.NN/bin/go;
#   Rust 1.85 (rustc, cargo, the wasm32 std) linking with lld's wasm-ld;
#   binaryen (native wasm-opt) and wabt for the optimize and verify stages.
# Built by tools/pipeline/src/docker/image.ts and tagged wasmhub-builder/trixie:<hash of this file>.
FROM debian:trixie-slim

# Backports come from the same mirror the base image already uses (never a hard-coded host).
RUN set -eu; \
    mirror="$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $1; exit}')"; \
    if [ -z "$mirror" ]; then mirror="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit } }' /etc/apt/sources.list)"; fi; \
    test -n "$mirror"; \
    echo "deb $mirror trixie-backports main" > /etc/apt/sources.list.d/backports.list; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      golang-1.24-go \
      rustc cargo libstd-rust-dev-wasm32 lld \
      binaryen wabt; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t trixie-backports \
      golang-1.25-go golang-1.26-go golang-1.27-go; \
    apt-get clean; rm -rf /var/lib/apt/lists/*; \
    useradd --uid 1000 --user-group --create-home --shell /bin/sh builder

USER builder
WORKDIR /home/builder
