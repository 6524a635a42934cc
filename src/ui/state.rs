//! The editor's state: the design and its history (the source of truth, not reactive), and
//! the signals the views read (the link keys, the selection, the badge counts, the viewport;
//! the canvas's painter reads the design itself). Every change goes through [`Editor::execute`], which
//! applies a model command, then syncs the signals that changed and autosaves.

use std::collections::HashMap;

use leptos::prelude::*;

use crate::model::command::describe;
use crate::model::{Command, Design, History, NodeId};
use crate::rules::{check, Report, Severity};

pub use crate::export::diagram::{HALF_H as NODE_HALF_H, HALF_W as NODE_HALF_W};
/// The grid that positions snap to.
pub const GRID: f64 = 10.0;

/// A link as the canvas draws it.
#[derive(Clone, Debug, PartialEq)]
pub struct LinkItem {
    /// Index in the design's links now (changes when an earlier link goes).
    pub index: usize,
    /// Start node.
    pub from: NodeId,
    /// End node.
    pub to: NodeId,
    /// How many earlier links join the same two ends in the same direction (the format
    /// keeps duplicates for TOPO-002): with the ends, the link's stable key.
    pub occurrence: usize,
}

pub use super::canvas::tool::LinkKey;

impl LinkItem {
    /// The link's stable key.
    pub fn key(&self) -> LinkKey {
        (self.from.clone(), self.to.clone(), self.occurrence)
    }
}

pub use super::canvas::camera::Viewport;

/// A message shown to the user: errors as `role="alert"`, notices as `role="status"`.
#[derive(Clone, Debug, PartialEq)]
pub struct Message {
    /// True for an error.
    pub error: bool,
    /// The text.
    pub text: String,
    /// Offer an Undo button (a step that replaced work).
    pub undo: bool,
}

/// The whole editor state, as copyable handles.
#[derive(Clone, Copy)]
pub struct Editor {
    /// The design (source of truth).
    pub design: StoredValue<Design>,
    history: StoredValue<History>,
    /// Bumped after every change that landed in the design.
    pub rev: RwSignal<u64>,
    /// Unwaived (errors, warnings) naming each node, from the last check (the badges).
    pub badges: StoredValue<HashMap<NodeId, (usize, usize)>>,
    /// Links in design order.
    pub links: RwSignal<Vec<LinkItem>>,
    /// Selected nodes.
    pub selected: RwSignal<Vec<NodeId>>,
    /// The selected link.
    pub selected_link: RwSignal<Option<LinkKey>>,
    /// Pan and zoom.
    pub view: RwSignal<Viewport>,
    /// The message shown to the user.
    pub message: RwSignal<Option<Message>>,
    /// What the last command did, for the `aria-live` region.
    pub announcement: RwSignal<String>,
    /// How many times the design was replaced (new, template, open, link).
    pub replaced: RwSignal<u64>,
    /// The inspector fields that hold an invalid text ("ip of KM 1 (km-1)"): while any does,
    /// share and export refuse and say which.
    pub invalid_fields: RwSignal<Vec<String>>,
    /// Whether undo and redo have something to do.
    pub can_undo: RwSignal<bool>,
    /// Whether redo has something to do.
    pub can_redo: RwSignal<bool>,
    /// Snap positions to the grid.
    pub snap: RwSignal<bool>,
    /// The checker's report for the current design (never stale after an edit lands).
    pub report: RwSignal<Report>,
    /// The ports each link carries, by the link's key, for the link labels.
    pub link_labels: Memo<HashMap<LinkKey, String>>,
    /// Copied nodes (Ctrl+C) and how many times they were pasted.
    pub clip: StoredValue<Option<(crate::model::clipboard::Clip, u32)>>,
    /// True while the report is older than the design: only between opening and the first
    /// check, which runs right after the first paint (`check_now`).
    stale: StoredValue<bool>,
    /// How many checks have run (the painter redraws badges only when this moves).
    pub checks: StoredValue<u64>,
}

impl Editor {
    /// A new editor on a design.
    pub fn new(design: Design) -> Editor {
        let design = StoredValue::new(design);
        let rev = RwSignal::new(0);
        let links = RwSignal::new(Vec::<LinkItem>::new());
        // The flow list's labels by link index, keyed like the link views (`sync` updates the
        // link list before `rev`, so both describe the same links).
        let link_labels = Memo::new(move |_| {
            rev.track();
            let labels = design.with_value(crate::export::flows::link_labels);
            links.with_untracked(|items| items.iter().map(LinkItem::key).zip(labels).collect::<HashMap<_, _>>())
        });
        let e = Editor {
            design,
            history: StoredValue::new(History::default()),
            rev,
            link_labels,
            badges: StoredValue::new(HashMap::new()),
            links,
            selected: RwSignal::new(Vec::new()),
            selected_link: RwSignal::new(None),
            view: RwSignal::new(Viewport::default()),
            message: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            invalid_fields: RwSignal::new(Vec::new()),
            replaced: RwSignal::new(0),
            can_undo: RwSignal::new(false),
            can_redo: RwSignal::new(false),
            snap: RwSignal::new(true),
            clip: StoredValue::new(None),
            stale: StoredValue::new(true),
            checks: StoredValue::new(0),
            report: RwSignal::new(Report {
                design: String::new(),
                product: "",
                summary: Default::default(),
                findings: Vec::new(),
            }),
        };
        e.sync_lists();
        e
    }

    /// Runs the checker now if the report is older than the design (the design an editor opens
    /// with is checked right after it is first drawn, so that the canvas shows first).
    pub fn check_now(&self) {
        if self.stale.get_value() {
            self.recheck();
        }
    }

    /// Applies a command as one undo step. Returns the error text when the model refuses it.
    pub fn try_execute(&self, cmd: Command) -> Result<(), String> {
        let mut result = Ok(());
        let said = self.design.with_value(|d| describe(&cmd, d));
        self.design.update_value(|d| {
            self.history.update_value(|h| result = h.execute(d, cmd, None).map_err(|e| e.to_string()));
        });
        match &result {
            Ok(()) => {
                self.changed();
                self.announce(said);
            }
            Err(e) => self.announce(format!("{said} refused: {e}")),
        }
        result
    }

    /// True when no inspector field holds an invalid text; else says which and refuses `what`.
    pub fn fields_valid(&self, what: &str) -> bool {
        let invalid = self.invalid_fields.get_untracked();
        match invalid.first() {
            None => true,
            Some(field) => {
                self.alert(format!(
                    "{what} waits: {field} holds an invalid value. Fix it, or press Escape in the field to put back the stored value."
                ));
                false
            }
        }
    }

    /// Says what just happened in the polite live region (screen readers read it out).
    pub fn announce(&self, text: impl Into<String>) {
        let text = text.into();
        // The same text twice in a row would not be read again: mark the repeat.
        let text = if self.announcement.with_untracked(|t| t == &text) { format!("{text} (again)") } else { text };
        self.announcement.set(text);
    }

    /// Applies a command as one undo step; a refusal is shown to the user.
    pub fn execute(&self, cmd: Command) {
        if let Err(e) = self.try_execute(cmd) {
            self.alert(e);
        }
    }

    /// Undoes the last step.
    pub fn undo(&self) {
        let mut done = false;
        self.design.update_value(|d| self.history.update_value(|h| done = h.undo(d)));
        if done {
            self.changed();
            self.announce("undone");
        }
    }

    /// Redoes the last undone step.
    pub fn redo(&self) {
        let mut done = false;
        self.design.update_value(|d| self.history.update_value(|h| done = h.redo(d)));
        if done {
            self.changed();
            self.announce("redone");
        }
    }

    fn changed(&self) {
        self.sync();
        self.rev.update(|r| *r += 1);
    }

    /// Shows an error.
    pub fn alert(&self, text: impl Into<String>) {
        self.message.set(Some(Message { error: true, text: text.into(), undo: false }));
    }

    /// Shows a notice.
    pub fn notice(&self, text: impl Into<String>) {
        self.message.set(Some(Message { error: false, text: text.into(), undo: false }));
    }

    /// Shows a notice with an Undo button (instead of asking for confirmation first).
    pub fn notice_with_undo(&self, text: impl Into<String>) {
        self.message.set(Some(Message { error: false, text: text.into(), undo: true }));
    }

    /// Brings the signals in line with the design, touching only what changed, and checks it.
    fn sync(&self) {
        self.sync_lists();
        self.recheck();
    }

    /// The link list, the selections and the undo state in line with the design.
    fn sync_lists(&self) {
        let links = self.design.with_value(|d| {
            let mut seen: HashMap<(&NodeId, &NodeId), usize> = HashMap::new();
            d.links
                .iter()
                .enumerate()
                .map(|(index, l)| {
                    let n = seen.entry((&l.from, &l.to)).or_default();
                    let occurrence = *n;
                    *n += 1;
                    LinkItem { index, from: l.from.clone(), to: l.to.clone(), occurrence }
                })
                .collect::<Vec<_>>()
        });
        if self.links.with_untracked(|old| old != &links) {
            self.links.set(links);
        }
        let kept: Vec<NodeId> = self
            .design
            .with_value(|d| self.selected.get_untracked().into_iter().filter(|id| d.node(id).is_some()).collect());
        self.select(kept);
        if let Some(key) = self.selected_link.get_untracked() {
            if self.link_index(&key).is_none() {
                self.selected_link.set(None);
            }
        }
        self.history.with_value(|h| {
            self.can_undo.set(h.can_undo());
            self.can_redo.set(h.can_redo());
        });
    }

    /// Runs the checker and updates the report and the badge counts.
    fn recheck(&self) {
        let report = self.design.with_value(|d| check(d, today()));
        let mut counts: HashMap<NodeId, (usize, usize)> = HashMap::new();
        for f in report.findings.iter().filter(|f| !f.waived) {
            for id in &f.nodes {
                let Some(id) = NodeId::parse(id) else { continue };
                let c = counts.entry(id).or_default();
                match f.severity {
                    Severity::Error => c.0 += 1,
                    Severity::Warning => c.1 += 1,
                    Severity::Info => {}
                }
            }
        }
        self.badges.set_value(counts);
        self.stale.set_value(false);
        self.checks.update_value(|n| *n += 1);
        self.report.set(report);
    }

    /// Where the link with this key is in the design's links now.
    pub fn link_index(&self, key: &LinkKey) -> Option<usize> {
        self.links.with_untracked(|l| {
            l.iter().find(|x| x.from == key.0 && x.to == key.1 && x.occurrence == key.2).map(|x| x.index)
        })
    }

    /// Sets the selected nodes (and clears the link selection when any node is selected).
    pub fn select(&self, ids: Vec<NodeId>) {
        if self.selected.with_untracked(|old| old == &ids) {
            return;
        }
        if !ids.is_empty() {
            self.selected_link.set(None);
        }
        self.selected.set(ids);
    }

    /// Replaces the design as one undoable step (new, template, open); the messages and the
    /// share bar about the old one go.
    pub fn replace(&self, design: Design) {
        self.select(Vec::new());
        self.message.set(None);
        self.execute(Command::Replace(Box::new(design)));
        self.replaced.update(|n| *n += 1);
    }

    /// Rounds a position to the grid when snapping is on, else to whole units.
    pub fn snapped(&self, (x, y): (f64, f64)) -> (f64, f64) {
        if self.snap.get_untracked() {
            ((x / GRID).round() * GRID, (y / GRID).round() * GRID)
        } else {
            (x.round(), y.round())
        }
    }
}

/// Today's date in UTC, from the browser's clock.
pub use super::browser::today;
