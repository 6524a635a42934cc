//! "Compare…": the current design against another (a file, a share link, or the design an open,
//! a link or an import replaced). The export worker runs the comparison (`diff`, the same code
//! as `obkm-topology diff`) and answers with its JSON; the page shows its entries, in its order
//! and words, in a changes panel, and marks the canvas: added nodes and links green, changed
//! nodes amber, removed nodes and links as red ghosts. Compare mode only looks: leaving it
//! changes nothing in the design. An edit made while comparing compares again.

use crate::model::number::Num as N;
use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use serde_json::Value;

use super::browser;
use super::canvas::Pointer;
use super::exporter::Exporter;
use super::state::{self, Editor};
use crate::export::escape::xml;
use crate::export::FirewallFormat;
use crate::model::geometry::{HALF_H, HALF_W};
use crate::model::{load_any, save, Design, NodeId};

/// What compare mode shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Compared {
    /// What the design is compared with, in words ("notes.json", "the shared link").
    pub with: String,
    /// The compared design, as saved.
    pub old: String,
    /// The diff's JSON document (`diff::to_json`).
    pub doc: Value,
    /// The nodes to mark: `added` or `changed`.
    pub marks: HashMap<NodeId, &'static str>,
    /// Links added since the compared design (`from~to`).
    pub added_links: HashSet<String>,
    /// The ghosts of removed nodes and links (SVG markup, world units), and where each removed
    /// node stood.
    pub ghosts: String,
    /// Where each removed node stood.
    pub ghost_at: HashMap<String, (f64, f64)>,
    /// Leave out nodes that only moved.
    pub ignore_layout: bool,
    /// Bumped with every comparison (the painter redraws marks when it moves).
    pub generation: u64,
}

/// The comparison's state, shared by the toolbar's menu, the canvas and the panel.
#[derive(Clone, Copy)]
pub struct Compare {
    /// The comparison shown, if any.
    pub shown: RwSignal<Option<Compared>>,
    runs: StoredValue<u64>,
}

impl Compare {
    /// No comparison.
    pub fn new() -> Compare {
        Compare { shown: RwSignal::new(None), runs: StoredValue::new(0) }
    }

    /// Compares the current design with `old` in the export worker, then shows it.
    pub fn run(self, editor: Editor, exporter: Exporter, old: String, with: String, ignore_layout: bool) {
        let job = super::exporter::job(
            "diff",
            editor.design.with_value(save),
            state::today(),
            serde_json::json!({ "since": old, "ignore_layout": ignore_layout }),
        );
        self.runs.update_value(|r| *r += 1);
        let run = self.runs.get_value();
        exporter.run(job, move |done| {
            // A later comparison (or leaving) wins over this one.
            if self.runs.try_get_value() != Some(run) {
                return;
            }
            let doc = done.and_then(|d| serde_json::from_slice::<Value>(&d.bytes).map_err(|e| e.to_string()));
            match doc {
                Ok(doc) => {
                    let compared = editor.design.with_value(|now| build(doc, old, with, ignore_layout, now, run));
                    self.shown.set(Some(compared));
                }
                Err(e) => editor.alert(format!("Cannot compare: {e}")),
            }
        });
    }

    /// Leaves compare mode (the design is untouched).
    pub fn leave(self) {
        self.runs.update_value(|r| *r += 1);
        self.shown.set(None);
    }
}

/// The marks and ghosts of a diff document, on the current design.
fn build(doc: Value, old: String, with: String, ignore_layout: bool, now: &Design, generation: u64) -> Compared {
    let mut marks = HashMap::new();
    let mut added_links = HashSet::new();
    let mut ghosts = String::new();
    let mut ghost_at: HashMap<String, (f64, f64)> = HashMap::new();
    let changes = doc["changes"].as_array().cloned().unwrap_or_default();
    for c in &changes {
        let target = c["target"].as_str().unwrap_or_default();
        match (c["section"].as_str(), c["change"].as_str()) {
            (Some("node"), Some("added")) => {
                if let Some(id) = NodeId::parse(target) {
                    marks.insert(id, "added");
                }
            }
            (Some("node"), Some("changed" | "moved")) => {
                if let Some(id) = NodeId::parse(target) {
                    marks.entry(id).or_insert("changed");
                }
            }
            (Some("node"), Some("removed")) => {
                let n = &c["old"];
                let (x, y) = (n["x"].as_f64().unwrap_or(0.0), n["y"].as_f64().unwrap_or(0.0));
                let label = n["label"].as_str().unwrap_or(target);
                ghost_at.insert(target.to_string(), (x, y));
                ghosts.push_str(&format!(
                    "<g class=\"ghost-node diff-removed\" data-ghost-id=\"{id}\" transform=\"translate({},{})\"><title>Removed: {l} ({id})</title><rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"8\"></rect><text x=\"0\" y=\"4\" text-anchor=\"middle\">{l}</text></g>",
                    N(x),
                    N(y),
                    N(-HALF_W),
                    N(-HALF_H),
                    N(2.0 * HALF_W),
                    N(2.0 * HALF_H),
                    id = xml(target),
                    l = xml(label),
                ));
            }
            (Some("link"), Some("added")) => {
                added_links.insert(target.to_string());
            }
            (Some("link"), Some("removed")) => {
                let (a, b) = target.split_once('~').unwrap_or_default();
                // An end is a node of the design, or a removed one: the diff lists removed nodes
                // (their ghosts) before links.
                let pos_of = |id: &str| {
                    NodeId::parse(id)
                        .and_then(|i| now.node(&i).map(|n| (n.x, n.y)))
                        .or_else(|| ghost_at.get(id).copied())
                };
                if let (Some((x1, y1)), Some((x2, y2))) = (pos_of(a), pos_of(b)) {
                    ghosts.insert_str(
                        0,
                        &format!(
                            "<line class=\"ghost-link diff-removed\" data-ghost-link=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"><title>Removed link {} → {}</title></line>",
                            xml(target),
                            N(x1),
                            N(y1),
                            N(x2),
                            N(y2),
                            xml(a),
                            xml(b)
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    Compared { with, old, doc, marks, added_links, ghosts, ghost_at, ignore_layout, generation }
}

/// The toolbar's "Compare…" menu: with a file, a share link, or the replaced design.
#[component]
pub fn CompareMenu(editor: Editor, exporter: Exporter, compare: Compare) -> impl IntoView {
    let file_input: NodeRef<leptos::html::Input> = NodeRef::new();
    let menu: NodeRef<leptos::html::Details> = NodeRef::new();
    let link = RwSignal::new(String::new());
    let close_menu = move || {
        if let Some(m) = menu.get_untracked() {
            m.set_open(false);
        }
    };
    let ignore = move || compare.shown.with_untracked(|c| c.as_ref().is_some_and(|c| c.ignore_layout));
    let with_design = move |d: Design, with: String| compare.run(editor, exporter, save(&d), with, ignore());
    let chosen = move |_| {
        let Some(input) = file_input.get_untracked() else { return };
        close_menu();
        leptos::task::spawn_local(async move {
            let Some((name, text)) = browser::read_chosen_file(&input).await else { return };
            input.set_value("");
            match text.map_err(|e| e.to_string()).and_then(|t| load_any(&t).map_err(|e| e.to_string())) {
                Ok(d) => with_design(d, name),
                Err(e) => editor.alert(format!("Cannot compare with {name}: {e}")),
            }
        });
    };
    let with_link = move |_| {
        let text = link.get_untracked();
        close_menu();
        leptos::task::spawn_local(async move {
            match browser::decode_link(&text).await {
                Ok(d) => with_design(d, "the shared link".into()),
                Err(e) => editor.alert(format!("Cannot compare with the link: {e}")),
            }
        });
    };
    let with_previous = move |_| {
        close_menu();
        match browser::previous() {
            Some(d) => with_design(d, "the replaced design".into()),
            None => {
                editor.alert("There is no replaced design to compare with: open a file, a link or an import first.")
            }
        }
    };
    view! {
        <details class="menu compare-menu" node_ref=menu>
            <summary data-action="compare" title="Compare this design with another: what changed, which findings and which firewall flows">"Compare…"</summary>
            <div class="menu-body" role="group" aria-label="Compare with another design">
                <p class="hint">"The changes since the other design are marked on the canvas and listed beside it; nothing in this design changes."</p>
                <div class="menu-actions">
                    <button data-action="compare-file" on:click=move |_| { if let Some(i) = file_input.get_untracked() { i.click(); } }>"A design file…"</button>
                    <button data-action="compare-previous" on:click=with_previous title="The design that the last open, link or import replaced">"The replaced design"</button>
                </div>
                <label>"A share link "
                    <input type="url" data-testid="compare-link-input" placeholder="https://…#d=1…" prop:value=move || link.get() on:input=move |ev| link.set(event_target_value(&ev)) />
                </label>
                <button data-action="compare-link" on:click=with_link>"Compare with the link"</button>
            </div>
            <input node_ref=file_input type="file" accept=".json,.svg,application/json,image/svg+xml" class="hidden" data-testid="compare-file-input" on:change=chosen />
        </details>
    }
}

/// The changes panel: the diff's entries in its order and words; a click reveals what an entry
/// is about; the firewall change request downloads as CSV or Markdown.
#[component]
pub fn ComparePanel(editor: Editor, pointer: Pointer, exporter: Exporter, compare: Compare) -> impl IntoView {
    // An edit while comparing compares again (the comparison follows the design).
    Effect::new(move |first: Option<()>| {
        editor.rev.track();
        if first.is_some() {
            if let Some((old, with, ignore)) =
                compare.shown.with_untracked(|c| c.as_ref().map(|c| (c.old.clone(), c.with.clone(), c.ignore_layout)))
            {
                compare.run(editor, exporter, old, with, ignore);
            }
        }
    });
    // Entering compare mode fits the design and its ghosts into the part of the canvas left of
    // the panel (the panel floats over the right side).
    Effect::new(move |was_on: Option<bool>| {
        let on = compare.shown.with(Option::is_some);
        if on && was_on == Some(false) {
            if let Some((w, h)) = pointer.canvas_size() {
                let mut centres: Vec<(f64, f64)> =
                    editor.design.with_value(|d| d.nodes.iter().map(|n| (n.x, n.y)).collect());
                compare.shown.with_untracked(|c| {
                    if let Some(c) = c {
                        centres.extend(c.ghost_at.values().copied());
                    }
                });
                let panel = (w * 0.45).min(420.0) + 16.0;
                editor.view.set(super::canvas::camera::fit(&centres, ((w - panel).max(w * 0.4), h)));
            }
        }
        on
    });
    let delta = move |format: FirewallFormat| {
        let Some(old) = compare.shown.with_untracked(|c| c.as_ref().map(|c| c.old.clone())) else { return };
        let job = super::exporter::job(
            "firewall",
            editor.design.with_value(save),
            state::today(),
            serde_json::json!({ "format": format.as_str(), "since": old }),
        );
        exporter.run(job, move |done| {
            match done.and_then(|d| browser::download_bytes(&d.name, &d.mime, &d.bytes).map(|()| d.name)) {
                Ok(name) => editor.notice(format!("Exported {name}.")),
                Err(e) => editor.alert(format!("Cannot export the firewall changes: {e}")),
            }
        });
    };
    let reveal = move |nodes: Vec<String>| {
        let ids: Vec<NodeId> = editor
            .design
            .with_value(|d| nodes.iter().filter_map(|n| NodeId::parse(n)).filter(|id| d.node(id).is_some()).collect());
        if !ids.is_empty() {
            editor.selected.set(ids.clone());
            super::canvas::reveal(&editor, &pointer, &ids);
            return;
        }
        // A removed node: its ghost.
        let at = compare
            .shown
            .with_untracked(|c| c.as_ref().and_then(|c| nodes.iter().find_map(|n| c.ghost_at.get(n).copied())));
        if let (Some(p), Some(size)) = (at, pointer.canvas_size()) {
            editor.view.set(super::canvas::camera::reveal(editor.view.get_untracked(), &[p], size));
        }
    };
    move || {
        compare.shown.get().map(|c| {
            // The command line's summary, in its words.
            let counts: Vec<String> = crate::diff::COUNTED
                .iter()
                .filter_map(|(section, change, words)| {
                    let n = c.doc["summary"][format!("{section}_{change}")].as_u64().unwrap_or(0);
                    (n > 0).then(|| format!("{n} {words}"))
                })
                .collect();
            let summary = if counts.is_empty() { "No changes.".to_string() } else { format!("{}.", counts.join(", ")) };
            let changes = c.doc["changes"].as_array().cloned().unwrap_or_default();
            let empty = changes.is_empty();
            let rows = changes
                .into_iter()
                .map(|ch| {
                    let s = |k: &str| ch[k].as_str().unwrap_or_default().to_string();
                    let nodes: Vec<String> =
                        ch["nodes"].as_array().map(|a| a.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()).unwrap_or_default();
                    let class = format!("change {} {}", s("section"), s("change"));
                    view! {
                        <li class=class data-section=s("section") data-change=s("change") data-target=s("target")>
                            <button class="change-text" on:click=move |_| reveal(nodes.clone())>{s("text")}</button>
                        </li>
                    }
                })
                .collect_view();
            let (old, with) = (c.old.clone(), c.with.clone());
            let toggle = move |ev: web_sys::Event| {
                compare.run(editor, exporter, old.clone(), with.clone(), event_target_checked(&ev));
            };
            view! {
                <aside class="import-report compare-panel" data-testid="compare-panel" aria-label="Changes">
                    <div class="import-head">
                        <h2>{format!("Changes since {}", c.with)}</h2>
                        <button class="dismiss" aria-label="Leave compare mode" data-action="compare-close" on:click=move |_| compare.leave()>"×"</button>
                    </div>
                    <p class="summary" data-testid="compare-summary">{summary}</p>
                    <label class="check"><input type="checkbox" data-testid="compare-ignore-layout" prop:checked=c.ignore_layout on:change=toggle />"Leave out moves"</label>
                    {empty.then(|| view! { <p class="import-clean">"The designs are the same."</p> })}
                    <ol class="changes" data-testid="compare-changes">{rows}</ol>
                    <div class="menu-actions">
                        <span class="group-label">"Firewall changes:"</span>
                        <button data-action="compare-firewall-csv" on:click=move |_| delta(FirewallFormat::Csv)>"CSV"</button>
                        <button data-action="compare-firewall-md" on:click=move |_| delta(FirewallFormat::Markdown)>"MD"</button>
                    </div>
                </aside>
            }
        })
    }
}
