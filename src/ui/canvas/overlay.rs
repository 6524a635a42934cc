//! The overlay above the scene: whatever the interaction machine previews (the rubber link,
//! the selection box, the node a palette drop would add, alignment guides, a hint), drawn from
//! its one preview signal. Nothing here is cleared by hand: when the machine is idle, its
//! preview is empty and so is the overlay.

use crate::model::number::Num as N;
use leptos::prelude::*;

use super::tool::Preview;
use crate::ui::state::{NODE_HALF_H, NODE_HALF_W};

/// A coordinate as an attribute's text.
fn n(v: f64) -> String {
    N(v).to_string()
}

/// The overlay layer (world coordinates, inside the scene's transform).
#[component]
pub fn Overlay(preview: RwSignal<Preview>) -> impl IntoView {
    let ghost = move || {
        preview.with(|p| p.ghost_link).map(|((x1, y1), (x2, y2))| {
            view! { <line class="ghost-link" x1=n(x1) y1=n(y1) x2=n(x2) y2=n(y2)></line> }
        })
    };
    let band = move || {
        preview.with(|p| p.band).map(|((x1, y1), (x2, y2))| {
            view! { <rect class="band" data-testid="band" x=n(x1.min(x2)) y=n(y1.min(y2)) width=n((x2 - x1).abs()) height=n((y2 - y1).abs())></rect> }
        })
    };
    let drop = move || {
        preview.with(|p| p.drop).map(|(kind, (x, y))| {
            view! {
                <g class="drop-ghost" data-testid="drop-ghost" transform=format!("translate({},{})", N(x), N(y))>
                    <rect x=n(-NODE_HALF_W) y=n(-NODE_HALF_H) width=n(2.0 * NODE_HALF_W) height=n(2.0 * NODE_HALF_H) rx="8"></rect>
                    <text x="0" y="5" text-anchor="middle">{kind.title()}</text>
                </g>
            }
        })
    };
    let guides = move || {
        preview.with(|p| {
            p.guides
                .iter()
                .map(|g| {
                    let (x1, y1, x2, y2) =
                        if g.vertical { (g.at, g.span.0, g.at, g.span.1) } else { (g.span.0, g.at, g.span.1, g.at) };
                    view! { <line class="guide" data-testid="guide" data-axis=if g.vertical { "x" } else { "y" } x1=n(x1) y1=n(y1) x2=n(x2) y2=n(y2)></line> }
                })
                .collect_view()
        })
    };
    view! {
        <g class="overlay" data-testid="overlay" aria-hidden="true">
            {guides}
            {ghost}
            {band}
            {drop}
        </g>
    }
}

/// The hint the machine asks for, as an HTML line over the canvas (screen space).
#[component]
pub fn Hint(preview: RwSignal<Preview>) -> impl IntoView {
    move || preview.with(|p| p.hint).map(|h| view! { <div class="canvas-hint" data-testid="canvas-hint">{h}</div> })
}
