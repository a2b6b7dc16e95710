#!/usr/bin/env bash
# Builds the boundary experiment crate (bench/experiments/boundary) into
# build/bench/boundary-<opt>/ with wasm-bindgen --target web and wasm-opt, like `make build`.
#   OPT=z|s|2|3 (Cargo opt-level, default z as in the crate)  WASM_OPT=-Oz|-O3 (default -Oz)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
OPT=${OPT:-z}
WASM_OPT=${WASM_OPT:--Oz}
export CARGO_TARGET_DIR=$ROOT/build/bench/target-opt$OPT CARGO_PROFILE_RELEASE_OPT_LEVEL=$OPT
(cd bench/experiments/boundary && cargo build --release --target wasm32-unknown-unknown -q)
OUT=$ROOT/build/bench/boundary-$OPT${WASM_OPT#-}
rm -rf "$OUT" && mkdir -p "$OUT"
wasm-bindgen --target web --out-dir "$OUT" --out-name boundary --no-typescript \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/bench_boundary.wasm"
wasm-opt "$WASM_OPT" --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$OUT/boundary_bg.wasm" -o "$OUT/boundary_bg.wasm"
echo "$OUT ($(wc -c < "$OUT/boundary_bg.wasm") bytes)"
