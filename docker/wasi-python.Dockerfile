# WasmHub builder for CPython on wasm32-wasip1 (runtimes/python, build kind "c-debian-source").
# Like docker/wasi-c.Dockerfile (clang 19 + lld 19 + llvm-*-19 + wasi-libc + the wasm32 builtins,
# binaryen and wabt), plus what CPython's upstream WASI build (Tools/wasm/wasi.py) needs:
#   - gcc + libc6-dev + make: the native "build Python" of the same version (it runs the code
#     generators and compiles the standard library to bytecode);
#   - nodejs: node:wasi runs python.wasm during the build, in place of wasmtime (runtimes/python/host-runner.mjs);
#   - pkg-config: configure finds nothing for the WASI host through it (PKG_CONFIG_LIBDIR is the private sysroot);
#   - python3.13-minimal: NOT used by the build (it compiles its own build Python from the same tarball);
#     `npm run bench` compares python.wasm under node:wasi with this native python3.13 in the same container.
# The upstream tarballs of Debian's python3.13 and zlib source packages are fetched with apt (deb-src,
# trixie, from the base image's own mirror) into /opt/wasmhub/sources, checked against the SHA-256 the
# signed Sources index gives them; the network-off compile container checks them again against the pins
# in runtimes/python/runtime.json.
FROM debian:trixie-slim

RUN set -eu; \
    mirror="$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | awk '{print $1; exit}')"; \
    if [ -z "$mirror" ]; then mirror="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/ && $i !~ /\]$/) { print $i; exit } }' /etc/apt/sources.list)"; fi; \
    test -n "$mirror"; \
    echo "deb-src $mirror trixie main" > /etc/apt/sources.list.d/wasmhub-src.list; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      clang-19 lld-19 llvm-19 wasi-libc libclang-rt-19-dev-wasm32 \
      binaryen wabt \
      gcc libc6-dev make pkg-config nodejs ncurses-bin python3.13-minimal \
      patch xz-utils bzip2 ca-certificates; \
    mkdir -p /opt/wasmhub/sources; \
    cd /opt/wasmhub/sources; \
    for pkg in python3.13 zlib; do \
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
