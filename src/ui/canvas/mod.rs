//! The canvas, one file a concern: `camera` (pan and zoom, fit and reveal: pure), `tool` (the
//! interaction machine: pure), `scene` (the nodes, links, labels and frames as views, and the
//! one dispatcher that feeds the machine), `overlay` (what the machine previews, above the
//! scene), `layers` (the static and the live layer: what moves is lifted into the live one).

pub mod camera;
pub mod tool;

#[cfg(target_arch = "wasm32")]
mod layers;
#[cfg(target_arch = "wasm32")]
mod overlay;
#[cfg(target_arch = "wasm32")]
mod scene;

#[cfg(target_arch = "wasm32")]
pub use scene::*;
