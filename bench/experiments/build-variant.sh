#!/usr/bin/env bash
# Builds a private copy of the package for profiling and experiments, never touching pkg/ or
# target/ (other engineers use them): the crate is built from a snapshot of the current tree (or
# of a patched tree) in build/bench/variants/<name>/, with its own target dir.
#
#   bench/experiments/build-variant.sh <name> [patch-file] [--names]
#
#   patch-file  a diff (git apply) against the current src/ and js/, e.g. a proposed optimisation
#   --names     keep the wasm name section (function names in --cpu-prof profiles)
#
# Result: build/bench/variants/<name>/pkg/ (node.js entry works like pkg/node.js).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
name=${1:?variant name}
patch=${2:-}
names=0
for a in "$@"; do [ "$a" = "--names" ] && names=1; done
[ "$patch" = "--names" ] && patch=""
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"

V=$ROOT/build/bench/variants/$name
rm -rf "$V/src" "$V/js" "$V/pkg"
mkdir -p "$V"
cp -r Cargo.toml Cargo.lock src js "$V/"
if [ -n "$patch" ]; then
  (cd "$V" && git apply --unidiff-zero "$ROOT/$patch" 2>/dev/null || git apply "$ROOT/$patch")
fi
# One shared target dir for all variants (deps compile once), separate from target/.
export CARGO_TARGET_DIR=$ROOT/build/bench/target
if [ $names = 1 ]; then
  export CARGO_PROFILE_RELEASE_STRIP=none CARGO_PROFILE_RELEASE_DEBUG=false
fi
(cd "$V" && cargo build --release --target wasm32-unknown-unknown --lib -q)
WASM_IN=$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/cometapi_responses.wasm
mkdir -p "$V/pkg"
keep=()
[ $names = 1 ] && keep=(--keep-debug)
wasm-bindgen --target web --out-dir "$V/pkg" --out-name cometapi_responses --no-typescript "${keep[@]}" "$WASM_IN"
strip=(--strip-debug --strip-producers)
[ $names = 1 ] && strip=(--debuginfo)
wasm-opt -Oz "${strip[@]}" --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$V/pkg/cometapi_responses_bg.wasm" -o "$V/pkg/cometapi_responses_bg.wasm"
cp "$V"/js/*.js "$V/pkg/"
echo "variant $name: $V/pkg ($(wc -c < "$V/pkg/cometapi_responses_bg.wasm") bytes wasm)"
