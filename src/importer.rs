//! The import worker's entry point (built by trunk for wasm32 as a web worker: index.html's
//! second `data-type="worker"` link), loaded on the first "Import configs…". See `webworker`
//! and `export::job::import`.

#[cfg(target_arch = "wasm32")]
fn main() {
    obkm_topology::webworker::start_imports();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("obkm-topology-importer is the browser app's import worker: build it with `trunk build` (see the README); the command line imports with `obkm-topology import`");
    std::process::exit(2);
}
