//! The browser app's entry point (built by trunk for wasm32).

#[cfg(target_arch = "wasm32")]
fn main() {
    obkm_topology::ui::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("obkm-topology-web is the browser app: build it with `trunk build` (see the README)");
    std::process::exit(2);
}
