# Debian's own native interpreters, for comparison with the wasm modules (bench/, and the Lua
# conformance cross-check): lua5.1 lua5.2 lua5.3 lua5.4 (Debian trixie), quickjs (qjs).
# Built by tools/pipeline/src/docker/image.ts and tagged wasmhub-builder/native-interpreters:<hash of this file>.
FROM debian:trixie-slim

RUN set -eu; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      lua5.1 lua5.2 lua5.3 lua5.4 quickjs; \
    apt-get clean; rm -rf /var/lib/apt/lists/*; \
    useradd --uid 1000 --user-group --create-home --shell /bin/sh builder

USER builder
WORKDIR /home/builder
