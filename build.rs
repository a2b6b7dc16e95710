// One name for a condition the stream and the call test in several places: `entries` is set
// where the Rust API's queue of stream entries exists, i.e. every build but the npm package's
// wasm (wasm32 with the `npm` feature and without `client`), which hands events to JS as
// batches only. A core-only wasm build (no feature) has the queue, as on any other target.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(entries)");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    let feature = |name: &str| std::env::var_os(format!("CARGO_FEATURE_{name}")).is_some();
    if feature("CLIENT") || !(wasm && feature("NPM")) {
        println!("cargo::rustc-cfg=entries");
    }
}
