//! obkm-topology: a topology designer and checker for highly available WSO2 Open Banking
//! Key Manager deployments. The core (`model`) is pure Rust and runs natively (tests, the
//! command-line tool) and in the browser; `ui` is the Leptos layer, built only for wasm32.

pub mod cli;
pub mod export;
pub mod model;
pub mod rules;
pub mod share;

#[cfg(target_arch = "wasm32")]
pub mod ui;
