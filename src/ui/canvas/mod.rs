//! The canvas, one file a concern: `camera` (pan and zoom, fit and reveal: pure), `tool` (the
//! interaction machine: pure), `marks` (the SVG markup of a node, link, label and frame: pure),
//! `paint` (draws the scene into the static and the live layer and keeps it in line with the
//! design; what moves is lifted into the live one), `scene` (the canvas and the one dispatcher
//! that feeds the machine), `overlay` (what the machine previews, above the scene), `search`
//! (the search box) and `minimap`.

pub mod camera;
pub mod marks;
pub mod tool;

#[cfg(target_arch = "wasm32")]
mod minimap;
#[cfg(target_arch = "wasm32")]
mod overlay;
#[cfg(target_arch = "wasm32")]
mod paint;
#[cfg(target_arch = "wasm32")]
mod scene;
#[cfg(target_arch = "wasm32")]
mod search;

#[cfg(target_arch = "wasm32")]
pub use scene::*;
#[cfg(target_arch = "wasm32")]
pub use search::go_to;
