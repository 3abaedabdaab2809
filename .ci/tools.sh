# shellcheck shell=bash
# Installs what building and testing wordguess needs, skipping what is there.
# Sourced by ./run, ./test and .ci/run. Nothing here downloads from GitHub:
# trunk and wasm-bindgen-cli come from crates.io, wasm-opt from npm, the
# browser from Debian.

TRUNK_VERSION=0.21.14
BINARYEN_VERSION=132.0.0
CARGO_FUZZ_VERSION=0.13.2
TOOLS_DIR="${WORDGUESS_TOOLS_DIR:-$HOME/.cache/wordguess-tools}"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$TOOLS_DIR/binaryen/node_modules/.bin:$PATH"

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# The wasm-bindgen version pinned in Cargo.lock (the CLI must match it).
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Rust's wasm target, trunk, wasm-bindgen-cli and wasm-opt.
ensure_web_tools() {
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "adding the wasm32-unknown-unknown target"
        rustup target add wasm32-unknown-unknown
    fi
    if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
        say "installing trunk $TRUNK_VERSION (a few minutes, once)"
        cargo install --locked trunk --version "$TRUNK_VERSION"
    fi
    local bindgen
    bindgen="$(wasm_bindgen_version)"
    if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $bindgen" ]; then
        say "installing wasm-bindgen-cli $bindgen (a few minutes, once)"
        # Not --locked: its lock file names a crate version this registry lacks.
        cargo install wasm-bindgen-cli --version "$bindgen" --force
    fi
    if ! "$TOOLS_DIR/binaryen/node_modules/.bin/wasm-opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
        say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION)"
        mkdir -p "$TOOLS_DIR/binaryen"
        npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/binaryen" "binaryen@$BINARYEN_VERSION"
    fi
}

# A nightly toolchain and cargo-fuzz, for the fuzz targets in fuzz/.
ensure_fuzz_tools() {
    if ! rustup run nightly rustc --version >/dev/null 2>&1; then
        say "installing the nightly toolchain (for cargo-fuzz; a minute, once)"
        rustup toolchain install nightly --profile minimal
    fi
    if [ "$(cargo fuzz --version 2>/dev/null)" != "cargo-fuzz $CARGO_FUZZ_VERSION" ]; then
        say "installing cargo-fuzz $CARGO_FUZZ_VERSION (a minute, once)"
        cargo install --locked cargo-fuzz --version "$CARGO_FUZZ_VERSION"
    fi
}

# Headless Chromium and chromedriver for the e2e tests.
ensure_browser() {
    if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
        say "installing Debian's chromium and chromium-driver"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium chromium-driver
    fi
}

# axe-core (npm), which the e2e tests inject into every screen they look
# at; they find it at $WORDGUESS_AXE_JS.
AXE_CORE_VERSION=4.14.1
export WORDGUESS_AXE_JS="$TOOLS_DIR/axe-core/node_modules/axe-core/axe.min.js"
ensure_axe() {
    if [ "$(node -p "require('$TOOLS_DIR/axe-core/node_modules/axe-core/package.json').version" 2>/dev/null)" != "$AXE_CORE_VERSION" ]; then
        say "installing axe-core $AXE_CORE_VERSION (npm)"
        mkdir -p "$TOOLS_DIR/axe-core"
        npm install --silent --no-audit --no-fund --prefix "$TOOLS_DIR/axe-core" "axe-core@$AXE_CORE_VERSION"
    fi
}

# Debian's redis-server (and redis-cli), which the cluster tests start
# on free loopback ports, and haproxy, whose README configuration a test
# checks.
ensure_cluster_tools() {
    if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null \
        || ! command -v haproxy >/dev/null; then
        say "installing Debian's redis-server and haproxy"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq redis-server haproxy
    fi
}

# Builds the browser app into dist/.
build_web_app() {
    say "building the browser app (trunk build --release)"
    trunk build --release
    # Brotli and gzip copies beside each file, which the server sends to
    # browsers that accept them (Node's own zlib).
    node .ci/precompress.mjs dist
}
