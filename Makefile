# cometapi-responses. `make` alone prints the #: lines below (with $(PORT) filled in).
#: cometapi-responses: every target installs what it needs (idempotent, quiet when present).
#:
#:   make demo     build, then serve www/ + the mock backend on http://127.0.0.1:$(PORT)
#:                 (another port: PORT=8081 make demo)
#:   make test     every test of the project; non-zero on any failure
#:   make build    pkg/: the npm package
#:   make bench    the benchmark table
#:   make fuzz     fuzz the core for 60 s (FUZZ_SECONDS=600 make fuzz for longer)
#:   make clean    remove pkg/, build/ and the wasm build output
#:
#:   one suite:    make test-rust | test-wasm | test-js | test-browser | test-runtimes | size-check
#:   make test-publish   the npm and crates.io dry-run publishes (also part of test-runtimes)
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8080
CARGO_HOME ?= $(HOME)/.cargo
export PATH := $(CURDIR)/node_modules/.bin:$(CARGO_HOME)/bin:$(PATH)
# panic locations name their files: a dependency's as `index.crates.io-…/serde_json-1.0.154/src/ser.rs`,
# not under this machine's cargo home (std's `/rustc/<commit>/…` cannot be cut on stable Rust)
export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS := --remap-path-prefix=$(CARGO_HOME)/registry/src/=
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = .*"=\([0-9.]*\)".*/\1/p' Cargo.toml)
WASM_TARGET := wasm32-unknown-unknown
WASM_IN := target/$(WASM_TARGET)/release/cometapi_responses.wasm
STAMP := build/.stamps
# functions wasm-opt keeps out of their callers (name patterns): the code no event or chunk of a
# stream runs (the exports' panic wrappers, validation, sockets, tool loops, structured outputs,
# relayed errors, redaction, partial JSON, retries, attachments). Kept whole they compress better
# (~0.7 KiB less gzip); everything on the per-event paths is inlined as before.
WASM_OPT_APART := $(foreach p,maybe_catch_unwind validate RawClient ocket ool_loop oolLoop \
  structured relay redact Redact partial_json zmij in_place_collect retry vec_deque input::,'--no-inline=*$(p)*')

.PHONY: help setup setup-rust setup-node setup-xz setup-browser build test test-rust test-wasm test-js test-browser test-runtimes test-publish size-check demo bench fuzz clean

help:
	@sed -n 's/^#: \{0,1\}//p' $(firstword $(MAKEFILE_LIST)) | sed 's|\$$(PORT)|$(PORT)|g'

# ---------------------------------------------------------------- set-up
setup: setup-rust setup-node setup-xz

setup-rust:
	@rustup target list --installed 2>/dev/null | grep -qx $(WASM_TARGET) || rustup target add $(WASM_TARGET)
	@if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $(WASM_BINDGEN_VERSION)" ]; then \
	  echo "installing wasm-bindgen-cli $(WASM_BINDGEN_VERSION) (about 3 minutes, once)"; \
	  cargo install -q wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION) --force; fi

# npm ci when package-lock.json changed since the last install
setup-node: node_modules/.package-lock.json
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# xz packs the browser entry's inline wasm (scripts/package-json.mjs); Debian has it by default
setup-xz:
	@command -v xz >/dev/null || { echo "installing Debian xz-utils"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xz-utils >/dev/null; }

setup-browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "installing Debian chromium + chromium-driver"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

# ---------------------------------------------------------------- build
build: setup
	cargo build --release --target $(WASM_TARGET) --lib -q --features npm
	@rm -rf build/pkg.tmp && mkdir -p build/pkg.tmp
	wasm-bindgen --target web --omit-default-module-path --out-dir build/pkg.tmp --out-name cometapi_responses --no-typescript $(WASM_IN)
	@# flatten + rereloop before -Oz, then merging similar functions: ~0.6 KB less gzip than -Oz alone;
	@# a function with one caller inlined up to 20 bytes more than -Oz would (docs/performance.md:
	@# -0.6 KB gzip, the long stream's instructions -4 %, a short request's +0.9 %);
	@# the target_features section is for linkers only
	wasm-opt $(WASM_OPT_APART) --one-caller-inline-max-function-size=20 --flatten --rereloop -Oz --converge --merge-similar-functions -Oz --low-memory-unused --strip-debug --strip-producers --strip-target-features --enable-bulk-memory --enable-nontrapping-float-to-int \
	  --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
	  build/pkg.tmp/cometapi_responses_bg.wasm -o build/pkg.tmp/cometapi_responses_bg.wasm
	node scripts/minify-names.mjs build/pkg.tmp/cometapi_responses_bg.wasm build/pkg.tmp/cometapi_responses.js
	node scripts/glue.mjs build/pkg.tmp/cometapi_responses.js
	@mkdir -p build/pkg.src && rm -f build/pkg.src/*.js && cp js/*.js build/pkg.src/
	cp build/pkg.tmp/cometapi_responses.js build/pkg.src/ && cp js/*.d.ts README.md LICENSE build/pkg.tmp/
	@# the edge-light entry instantiates a WebAssembly.Module itself (it may come from another realm)
	@echo 'export { __wbg_get_imports, __wbg_finalize_init };' >> build/pkg.src/cometapi_responses.js
	node scripts/package-json.mjs build/pkg.tmp
	@mv build/pkg.tmp/cometapi_responses_bg.inline.js build/pkg.tmp/cometapi_responses_bg.lzma.js build/pkg.src/ && rm build/pkg.tmp/cometapi_responses.js
	node scripts/bundle.mjs build/pkg.tmp
	@# swap in one step: other processes reading pkg/ never see a half-written package
	@rm -rf build/pkg.old && { [ ! -d pkg ] || mv pkg build/pkg.old; } && mv build/pkg.tmp pkg && rm -rf build/pkg.old
	@mkdir -p node_modules && ln -sfn ../pkg node_modules/cometapi-responses
	@node scripts/size.mjs

# ---------------------------------------------------------------- tests
test: test-rust test-wasm test-js test-browser test-runtimes size-check
	@echo "make test: all suites passed"

# habits: formatting, clippy (host; wasm32 with the npm classes and the Rust API) with the [lints]
# table of Cargo.toml, then the tests
test-rust: setup-rust
	cargo fmt --check
	cargo clippy -q --all-targets -- -D warnings
	cargo clippy -q --all-targets --target $(WASM_TARGET) --all-features -- -D warnings
	cargo test -q

# wasm-bindgen-test in Node and in headless Chromium, against the mock backend on loopback
WASM_TEST := CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner WASM_BINDGEN_TEST_TIMEOUT=240 \
  node scripts/with-mock.mjs cargo test --target $(WASM_TARGET) --features client
test-wasm: setup setup-browser
	$(WASM_TEST) --test wasm_node
	CHROMEDRIVER=$$(command -v chromedriver) $(WASM_TEST) --test wasm_browser

test-js: build
	node --test --test-concurrency=2 tests/js/ tests/demo/

test-browser: build setup-browser
	node --test --test-concurrency=1 tests/browser/

# one npm package for every runtime: packed tarball in Node, Vite, a plain page, workerd
test-runtimes: build setup-browser
	node --test --test-concurrency=1 tests/runtimes/

# npm publish --dry-run of pkg/, cargo package / publish --dry-run, cargo doc -D warnings
test-publish: build
	node --test --test-concurrency=1 tests/runtimes/publish-npm.test.mjs tests/runtimes/publish-crate.test.mjs

# the browser entry as shipped (gzip: the wasm inlined, the glue, the API) must stay under the
# budget (KiB): a guard against accidental growth (scripts/size.mjs); the size we aim for, and
# where we stand against openai-node, is in docs/performance.md
SIZE_BUDGET_KIB ?= 96
size-check: build
	SIZE_BUDGET_KIB=$(SIZE_BUDGET_KIB) node scripts/size.mjs --check

# ---------------------------------------------------------------- demo, bench
demo: build
	node www/server.mjs --port $(PORT)

bench: build
	node --expose-gc bench/run.mjs

# fuzz the core on stable Rust (tests/fuzz/, release mode): make fuzz FUZZ_SECONDS=600 or FUZZ_ITERS=10000000
# (default 60 s; also FUZZ_SEED=n, FUZZ_TARGET=sse|decode|accumulate|stream|bridge|tool_loop); findings: build/fuzz-crashes/.
# make test runs a short fixed-seed pass of it (part of cargo test).
fuzz:
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),$(if $(FUZZ_ITERS),,60)) FUZZ_ITERS=$(FUZZ_ITERS) FUZZ_SEED=$(FUZZ_SEED) \
	  FUZZ_TARGET=$(FUZZ_TARGET) cargo test --release -q --test fuzz -- --nocapture

clean:
	rm -rf pkg build target/$(WASM_TARGET)
