//! obkm-topology: a topology designer and checker for highly available WSO2 Open Banking
//! Key Manager deployments. The core (`model`) is pure Rust and runs natively (tests, the
//! command-line tool) and in the browser; `ui` is the Leptos layer, built for wasm32 but for
//! its pure parts (the canvas's camera and interaction machine), which `cargo test` covers.

pub mod cli;
pub mod diff;
pub mod export;
pub mod import;
pub mod model;
pub mod rules;
pub mod share;

pub mod ui;
/// The export worker's side of the browser app (wasm32 only).
#[cfg(target_arch = "wasm32")]
pub mod webworker;
