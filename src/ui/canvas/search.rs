//! The search box over the canvas (`[data-testid="search"]`; `/` or Ctrl/Cmd+K focuses it):
//! nodes found by id, label, address or zone (`model::search`), listed as you type; Enter or a
//! click selects the node and brings it into view at a readable zoom.

use leptos::prelude::*;

use super::camera;
use super::scene::{Pointer, FACTS_SCALE};
use crate::model::search::{find, Hit};
use crate::model::NodeId;
use crate::ui::state::Editor;

/// The most results listed.
const RESULTS: usize = 8;

/// Selects a node and shows it, centred, at a zoom where its texts can be read.
pub fn go_to(editor: &Editor, pointer: &Pointer, id: &NodeId) {
    let Some(at) = editor.design.with_value(|d| d.node(id).map(|n| (n.x, n.y))) else { return };
    editor.select(vec![id.clone()]);
    if let Some(size) = pointer.canvas_size() {
        editor.view.update(|v| *v = camera::focus(*v, at, size, FACTS_SCALE.max(1.0)));
    }
    editor.announce(format!("{id} found and selected"));
}

/// The search box and its results.
#[component]
pub fn Search(editor: Editor, pointer: Pointer, input: NodeRef<leptos::html::Input>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let active = RwSignal::new(0usize);
    let hits = Memo::new(move |_| {
        editor.rev.track();
        let q = query.get();
        editor.design.with_value(|d| {
            find(d, &q, RESULTS)
                .into_iter()
                .map(|h: Hit| (d.nodes.get(h.node).map(|n| (n.id.clone(), n.label.clone())), h.field, h.text))
                .filter_map(|(n, field, text)| n.map(|(id, label)| (id, label, field, text)))
                .collect::<Vec<_>>()
        })
    });
    let choose = move |i: usize| {
        let chosen = hits.with_untracked(|h| h.get(i).map(|x| x.0.clone()));
        if let Some(id) = chosen {
            go_to(&editor, &pointer, &id);
            query.set(String::new());
            if let Some(el) = input.get_untracked() {
                el.set_value("");
                let _ = el.blur();
            }
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let n = hits.with_untracked(Vec::len);
        match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                choose(active.get_untracked());
            }
            "ArrowDown" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = (*a + 1) % n);
            }
            "ArrowUp" if n > 0 => {
                ev.prevent_default();
                active.update(|a| *a = (*a + n - 1) % n);
            }
            "Escape" => {
                ev.stop_propagation();
                query.set(String::new());
                if let Some(el) = input.get_untracked() {
                    el.set_value("");
                    let _ = el.blur();
                }
            }
            _ => {}
        }
    };
    let results = move || {
        let list = hits.get();
        if query.with(|q| q.trim().is_empty()) {
            return None;
        }
        Some(if list.is_empty() {
            view! { <p class="search-none" role="status">"No node matches."</p> }.into_any()
        } else {
            view! {
                <ul class="search-results" role="listbox" id="search-results" aria-label="Nodes found">
                    {list
                        .into_iter()
                        .enumerate()
                        .map(|(i, (id, label, field, text))| {
                            let hook = id.to_string();
                            view! {
                                <li
                                    role="option"
                                    data-result=hook
                                    aria-selected=move || if active.get() == i { "true" } else { "false" }
                                    on:mousedown=move |ev: web_sys::MouseEvent| {
                                        ev.prevent_default();
                                        choose(i);
                                    }
                                >
                                    <span class="result-label">{label}</span>
                                    <span class="result-id">{id.to_string()}</span>
                                    <span class="result-field">{format!("{field}: {text}")}</span>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        })
    };
    view! {
        <div class="canvas-search">
            <input
                node_ref=input
                type="search"
                data-testid="search"
                placeholder="Find a node (/ or Ctrl+K)"
                aria-label="Find a node by id, label, address or zone"
                aria-controls=move || (!query.with(|q| q.trim().is_empty()) && hits.with(|h| !h.is_empty())).then_some("search-results")
                autocomplete="off"
                spellcheck="false"
                on:input=move |ev| {
                    query.set(event_target_value(&ev));
                    active.set(0);
                }
                on:keydown=on_key
                on:blur=move |_| {
                    query.set(String::new());
                    if let Some(el) = input.get_untracked() {
                        el.set_value("");
                    }
                }
            />
            {results}
        </div>
    }
}
