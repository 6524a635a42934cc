//! The canvas's two layers. Every node, link, label and the cluster frame are drawn in the
//! static layer; while nodes are dragged, their elements (the node, its texts, the links and
//! labels that touch it, the cluster frame when a Key Manager node moves) are lifted into the
//! live layer above, which is a composited layer of its own. Each move then repaints the live
//! layer's few elements and nothing of the static one, whose paint the browser keeps. The
//! same elements move (never copies): the hooks (`data-node-id`, `data-link`, …), focus and
//! the accessible names stay on them. They go back to where they were, in order, before the
//! gesture's command lands.
//!
//! Pan and pinch move both layers by a CSS transform (compositing, no repaint); the scene's
//! own transform catches up when the gesture ends (`painted` in `scene`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::{NodeId, NodeKind};
use crate::ui::state::Editor;

/// Above this many moving nodes nothing is lifted: moving thousands of elements between layers
/// would cost more than the repaints it saves.
pub const MAX_LIFTED: usize = 150;

/// An element taken out of the static layer, and where it goes back.
struct Lifted {
    el: web_sys::Element,
    into: web_sys::Element,
    parent: web_sys::Node,
    next: Option<web_sys::Node>,
}

/// The layers' state: the live layer's groups and what is lifted into them.
#[derive(Clone, Copy)]
pub struct Layers {
    /// The static layer's scene group.
    pub scene: NodeRef<leptos::svg::G>,
    /// The live layer's groups, bottom to top: frame, links, labels, nodes.
    pub frame: NodeRef<leptos::svg::G>,
    pub links: NodeRef<leptos::svg::G>,
    pub labels: NodeRef<leptos::svg::G>,
    pub nodes: NodeRef<leptos::svg::G>,
    lifted: StoredValue<Vec<Lifted>, LocalStorage>,
    ids: StoredValue<Vec<NodeId>>,
}

impl Layers {
    /// Empty layers.
    pub fn new() -> Layers {
        Layers {
            scene: NodeRef::new(),
            frame: NodeRef::new(),
            links: NodeRef::new(),
            labels: NodeRef::new(),
            nodes: NodeRef::new(),
            lifted: StoredValue::new_local(Vec::new()),
            ids: StoredValue::new(Vec::new()),
        }
    }

    /// Makes the live layer hold exactly the elements of the `moving` nodes (none: everything
    /// back in the static layer). Called on every pointer move: it compares, and only a change
    /// of the moving set touches the page.
    pub fn sync(&self, editor: &Editor, moving: &[(NodeId, (f64, f64))]) {
        if self.ids.with_value(|ids| ids.iter().eq(moving.iter().map(|(id, _)| id))) {
            return;
        }
        self.restore();
        if !moving.is_empty() && moving.len() <= MAX_LIFTED {
            let ids: Vec<NodeId> = moving.iter().map(|(id, _)| id.clone()).collect();
            self.lift(editor, &ids);
        }
    }

    fn lift(&self, editor: &Editor, moving: &[NodeId]) {
        let g = |r: NodeRef<leptos::svg::G>| r.get_untracked().map(|e| -> web_sys::Element { e.unchecked_into() });
        let (Some(scene), Some(frame), Some(links), Some(labels), Some(nodes)) =
            (g(self.scene), g(self.frame), g(self.links), g(self.labels), g(self.nodes))
        else {
            return;
        };
        let one = |sel: &str| scene.query_selector(sel).ok().flatten();
        let all = |sel: &str| {
            let mut out = Vec::new();
            if let Ok(list) = scene.query_selector_all(sel) {
                for i in 0..list.length() {
                    if let Some(e) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                        out.push(e);
                    }
                }
            }
            out
        };
        let mut take: Vec<(web_sys::Element, &web_sys::Element)> = Vec::new();
        let km_moves = editor
            .design
            .with_value(|d| moving.iter().any(|id| d.node(id).is_some_and(|n| n.kind == NodeKind::KeyManager)));
        if km_moves {
            if let Some(f) = one("[data-testid=\"cluster\"]") {
                take.push((f, &frame));
            }
        }
        editor.links.with_untracked(|items| {
            for l in items.iter().filter(|l| moving.contains(&l.from) || moving.contains(&l.to)) {
                let hook = format!("{}~{}", l.from, l.to);
                if let Some(e) = one(&format!("[data-link=\"{hook}\"][data-occurrence=\"{}\"]", l.occurrence)) {
                    take.push((e, &links));
                }
                if l.occurrence == 0 {
                    for e in all(&format!("[data-link-label=\"{hook}\"]")) {
                        take.push((e, &labels));
                    }
                }
            }
        });
        for id in moving {
            if let Some(node) = one(&format!("[data-node-id=\"{id}\"]")) {
                let text = node.next_element_sibling().filter(|t| t.class_list().contains("node-text"));
                take.push((node, &nodes));
                if let Some(t) = text {
                    take.push((t, &nodes));
                }
            }
        }
        let mut lifted = Vec::with_capacity(take.len());
        for (el, into) in take {
            let Some(parent) = el.parent_node() else { continue };
            let next = el.next_sibling();
            if into.append_child(&el).is_ok() {
                lifted.push(Lifted { el, into: into.clone(), parent, next });
            }
        }
        self.lifted.set_value(lifted);
        self.ids.set_value(moving.to_vec());
    }

    /// Puts every lifted element back where it was, last lifted first (so each goes back before
    /// the sibling recorded for it). An element the view removed meanwhile stays removed.
    pub fn restore(&self) {
        let lifted = std::mem::take(&mut *self.lifted.write_value());
        self.ids.set_value(Vec::new());
        for l in lifted.into_iter().rev() {
            let here = l.el.parent_node().is_some_and(|p| p.is_same_node(Some(l.into.as_ref())));
            if !here {
                continue;
            }
            let next = l.next.filter(|n| n.parent_node().is_some_and(|p| p.is_same_node(Some(&l.parent))));
            let _ = l.parent.insert_before(&l.el, next.as_ref());
        }
    }
}

impl Default for Layers {
    fn default() -> Self {
        Layers::new()
    }
}
