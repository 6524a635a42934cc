//! The export worker's entry point (built by trunk for wasm32 as a web worker: index.html's
//! `data-type="worker"` link). See `webworker` and `export::job`.

#[cfg(target_arch = "wasm32")]
fn main() {
    obkm_topology::webworker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("obkm-topology-worker is the browser app's export worker: build it with `trunk build` (see the README)");
    std::process::exit(2);
}
