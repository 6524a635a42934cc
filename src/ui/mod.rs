//! The browser app (Leptos, client-side rendering): the toolbar, the palette, the canvas and
//! the inspector. It turns pointer and keyboard events into model commands and draws the
//! model; browser glue lives in `browser`. The canvas's camera and interaction machine are
//! pure and compile natively too, so `cargo test` covers them; everything else is wasm32 only.

pub mod canvas;

#[cfg(target_arch = "wasm32")]
mod app;
#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
mod compare;
#[cfg(target_arch = "wasm32")]
mod exporter;
#[cfg(target_arch = "wasm32")]
mod findings;
#[cfg(target_arch = "wasm32")]
mod importer;
#[cfg(target_arch = "wasm32")]
mod inspector;
#[cfg(target_arch = "wasm32")]
mod state;

#[cfg(target_arch = "wasm32")]
pub use app::start;
