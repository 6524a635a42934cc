//! The minimap (`[data-testid="minimap"]`): the whole design in small, with the part in view
//! outlined; a click or a drag on it moves the view there. Shown only when the design is larger
//! than the view. The nodes are drawn on a 2D canvas when the design changes; the outline is a
//! box of its own, so panning redraws nothing.

use crate::model::number::Num as N;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::camera::{self, Point};
use super::scene::Pointer;
use crate::model::geometry::{bounds, Rect};
use crate::ui::state::Editor;

/// The minimap's size in pixels.
const W: f64 = 200.0;
const H: f64 = 130.0;

/// How the minimap maps the world: its scale and the world point at its top left.
fn mapping(world: Rect) -> (f64, Point) {
    let s = (W / world.width().max(1.0)).min(H / world.height().max(1.0));
    // Centred in the minimap.
    let (ox, oy) = ((W - world.width() * s) / 2.0, (H - world.height() * s) / 2.0);
    (s, (world.x0 - ox / s, world.y0 - oy / s))
}

/// The minimap.
#[component]
pub fn Minimap(editor: Editor, pointer: Pointer) -> impl IntoView {
    let canvas: NodeRef<leptos::html::Canvas> = NodeRef::new();
    let world = Memo::new(move |_| {
        editor.rev.track();
        editor.design.with_value(bounds).map(|r| r.grown(60.0))
    });
    // The part of the world in view, from the view and the canvas's size.
    let seen = move || {
        let v = editor.view.get();
        let (w, h) = pointer.size.get()?;
        let (x0, y0) = v.world_from_screen((0.0, 0.0));
        let (x1, y1) = v.world_from_screen((w, h));
        Some(Rect { x0, y0, x1, y1 })
    };
    let shown = Memo::new(move |_| {
        if !pointer.ready.get() {
            return false;
        }
        match (world.get(), seen()) {
            (Some(all), Some(view)) => all.x0 < view.x0 || all.y0 < view.y0 || all.x1 > view.x1 || all.y1 > view.y1,
            _ => false,
        }
    });
    // The nodes, drawn when the design changes (or the minimap appears).
    Effect::new(move |_| {
        editor.rev.track();
        if !shown.get() {
            return;
        }
        let (Some(el), Some(all)) = (canvas.get(), world.get()) else { return };
        let el: web_sys::HtmlCanvasElement = el.unchecked_into();
        let Ok(Some(ctx)) = el.get_context("2d") else { return };
        let Ok(ctx) = ctx.dyn_into::<web_sys::CanvasRenderingContext2d>() else { return };
        let (s, origin) = mapping(all);
        ctx.clear_rect(0.0, 0.0, W, H);
        editor.design.with_value(|d| {
            for n in &d.nodes {
                let r = Rect::node((n.x, n.y));
                ctx.set_fill_style_str(crate::export::diagram::color(n.kind));
                ctx.fill_rect(
                    (r.x0 - origin.0) * s,
                    (r.y0 - origin.1) * s,
                    (r.width() * s).max(1.5),
                    (r.height() * s).max(1.5),
                );
            }
        });
    });
    let outline = move || {
        let (Some(all), Some(view)) = (world.get(), seen()) else { return String::new() };
        let (s, origin) = mapping(all);
        let clamp = |v: f64, hi: f64| v.clamp(0.0, hi);
        let (x0, y0) = (clamp((view.x0 - origin.0) * s, W), clamp((view.y0 - origin.1) * s, H));
        let (x1, y1) = (clamp((view.x1 - origin.0) * s, W), clamp((view.y1 - origin.1) * s, H));
        format!("left:{}px;top:{}px;width:{}px;height:{}px", N(x0), N(y0), N(x1 - x0), N(y1 - y0))
    };
    // A press (and a drag) on the minimap centres the view on that point.
    let dragging = StoredValue::new(false);
    let go = move |ev: &web_sys::PointerEvent| {
        let (Some(el), Some(all), Some(size)) = (canvas.get_untracked(), world.get_untracked(), pointer.canvas_size())
        else {
            return;
        };
        let el: web_sys::Element = el.unchecked_into();
        let r = el.get_bounding_client_rect();
        let (s, origin) = mapping(all);
        let at =
            ((f64::from(ev.client_x()) - r.left()) / s + origin.0, (f64::from(ev.client_y()) - r.top()) / s + origin.1);
        editor.view.update(|v| *v = camera::centred(*v, at, size));
    };
    view! {
        <div
            class="minimap"
            data-testid="minimap"
            class:hidden=move || !shown.get()
            aria-label="Minimap: the whole design; click or drag to move the view"
            role="img"
            on:pointerdown=move |ev: web_sys::PointerEvent| {
                ev.stop_propagation();
                dragging.set_value(true);
                if let Some(t) = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()) {
                    let _ = t.set_pointer_capture(ev.pointer_id());
                }
                go(&ev);
            }
            on:pointermove=move |ev: web_sys::PointerEvent| {
                if dragging.get_value() {
                    go(&ev);
                }
            }
            on:pointerup=move |_| dragging.set_value(false)
            on:pointercancel=move |_| dragging.set_value(false)
        >
            <canvas node_ref=canvas width=W as u32 height=H as u32></canvas>
            <div class="minimap-view" style=outline></div>
        </div>
    }
}
