// One name for a condition the stream and the call test in several places: `entries` is set
// where the Rust API's queue of stream entries exists, i.e. every build but the npm package's
// wasm (wasm32 without the `client` feature), which hands events to JS as batches only.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(entries)");
    let wasm = std::env::var("CARGO_CFG_TARGET_ARCH").is_ok_and(|a| a == "wasm32");
    if std::env::var_os("CARGO_FEATURE_CLIENT").is_some() || !wasm {
        println!("cargo::rustc-cfg=entries");
    }
}
