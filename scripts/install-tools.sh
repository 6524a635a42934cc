#!/usr/bin/env bash
# Installs what `make serve` / `make test` need and is missing; a warm machine returns in seconds.
# Versions are those measured in ../shared/spec/toolchain.md. Nothing is downloaded from outside
# the package registries (crates.io, npm, Debian).
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must equal the wasm-bindgen version that Cargo.lock pins.
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/"/,"",$3); print $3; exit}' Cargo.lock)
: "${WB_VERSION:?cannot read the wasm-bindgen version from Cargo.lock}"

say() { printf '[install] %s\n' "$*"; }

# Node.js 20 or newer comes with the machine (toolchain.md); Debian 12's own nodejs 18 is too old
# for playwright-core. Say so plainly instead of failing later in npm.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "[install] Node.js 20 or newer is needed (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for c in clippy rustfmt; do
  if ! rustup component list --installed 2>/dev/null | grep -q "^$c"; then
    say "rustup component add $c"
    rustup component add "$c"
  fi
done

if [ "$(trunk --version 2>/dev/null || true)" != "trunk $TRUNK_VERSION" ]; then
  say "cargo install trunk $TRUNK_VERSION (several minutes)"
  cargo install --locked trunk --version "$TRUNK_VERSION"
fi
if [ "$(wasm-bindgen --version 2>/dev/null || true)" != "wasm-bindgen $WB_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WB_VERSION (a few minutes)"
  # No --locked: one of its pinned dependency versions is gone from the registry.
  cargo install --force wasm-bindgen-cli --version "$WB_VERSION"
fi

# Debian packages: the browser for the UI tests, and the real consumers of the exports.
DEB_PKGS=(chromium chromium-driver nginx nftables iptables libxml2-utils haproxy openssl)
missing=()
for p in "${DEB_PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
  # Debian starts nginx/haproxy on install; the tests only need their binaries.
  (systemctl disable --now nginx haproxy >/dev/null 2>&1 || service nginx stop >/dev/null 2>&1 || true)
fi

# Python test packages (tests/consumers/requirements.txt) in a virtual environment the project
# owns, made with Debian's own python3 (Debian 12 refuses `pip install` outside one, PEP 668).
# The Makefile hands its interpreter to the tests as OBKM_PYTHON.
VENV=${OBKM_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/obkm-topology/venv}
REQS=tests/consumers/requirements.txt
want=$(sha256sum "$REQS" | cut -d' ' -f1)
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$VENV/.requirements.sha256" 2>/dev/null || true)" != "$want" ]; then
  if ! /usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    say "apt-get install python3-venv"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq python3-venv >/dev/null
  fi
  say "python3 -m venv $VENV; pip install -r $REQS"
  rm -rf "$VENV"
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$REQS"
  echo "$want" >"$VENV/.requirements.sha256"
fi

# npm: wasm-opt (binaryen, never Debian's) and playwright-core (never its browser download).
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/playwright-core ] || [ ! -f node_modules/axe-core/axe.min.js ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci"
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error
fi
say "tools ready"
