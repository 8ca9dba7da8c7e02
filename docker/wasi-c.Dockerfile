# WasmHub builder for C interpreters from Debian source packages (build kind "c-debian-source"):
#   clang 19 + lld 19 (+ llvm-ar-19 etc.) + wasi-libc (wasm32-wasi sysroot, libsetjmp, emulated signal/process-clocks)
#   + the wasm32 builtins; binaryen (native wasm-opt) and wabt for the optimize and verify stages.
# The upstream tarballs (*.orig.tar.*) of the Debian source packages listed below are fetched with
# apt (deb-src, trixie, from the base image's own mirror) into /opt/wasmhub/sources, once, when the
# image is built: `apt-get source --print-uris` names the orig tarball and the SHA-256 the signed
# Sources index gives it, and apt-helper downloads it checking that hash (only the orig tarball: some
# mirrors carry no .dsc/.debian.tar.*, and Debian's own patches are not used). The compile container
# runs with the network off and checks each tarball against the SHA-256 pinned in runtime.json.
# Built by tools/pipeline/src/docker/image.ts and tagged wasmhub-builder/wasi-c:<hash of this file>.
FROM debian:trixie-slim

# deb-src comes from the same mirror the base image already uses (never a hard-coded host).
RUN set -eu; \
    mirror="$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $1; exit}')"; \
    if [ -z "$mirror" ]; then mirror="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit } }' /etc/apt/sources.list)"; fi; \
    test -n "$mirror"; \
    echo "deb-src $mirror trixie main" > /etc/apt/sources.list.d/wasmhub-src.list; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      clang-19 lld-19 llvm-19 wasi-libc libclang-rt-19-dev-wasm32 \
      binaryen wabt \
      make patch xz-utils bzip2 ca-certificates; \
    mkdir -p /opt/wasmhub/sources; \
    cd /opt/wasmhub/sources; \
    for pkg in lua5.1 lua5.2 lua5.3 lua5.4 quickjs; do \
      line="$(apt-get source --print-uris -qq "$pkg" | grep "^'[^']*/${pkg}_[^/']*\.orig\.tar\.[a-z0-9]*' ")"; \
      set -- $line; \
      /usr/lib/apt/apt-helper download-file "$(echo "$1" | tr -d "'")" "$2" "$4"; \
    done; \
    sha256sum *; \
    chmod -R a+rX /opt/wasmhub; \
    apt-get clean; rm -rf /var/lib/apt/lists/*; \
    useradd --uid 1000 --user-group --create-home --shell /bin/sh builder

USER builder
WORKDIR /home/builder
