//! The findings panel: every finding of the current design grouped by severity, with its rule
//! id, message, source and fix; a click selects and reveals its nodes; mechanical fixes apply
//! as one undoable step; findings can be waived with a reason, asked in the app's own dialog.

use leptos::prelude::*;

use super::canvas::{reveal, Pointer};
use super::state::Editor;
use crate::model::{Command, Date, NodeId, Waiver};
use crate::rules::{fixes, Finding, Severity};

/// Adds the waiver for a finding, with its reason and optional last day.
fn waive(editor: &Editor, f: &Finding, reason: &str, expires: Option<Date>) {
    let node = match f.nodes.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    };
    let index = editor.design.with_value(|d| d.waivers.len());
    let waiver = Waiver {
        rule: f.rule.to_string(),
        node,
        reason: Some(reason.trim().to_string()),
        expires,
        extra: Default::default(),
    };
    editor.execute(Command::AddWaiver { waiver, index });
}

/// The app's own waiver dialog (a modal `<dialog>`: focus stays in it, Escape closes it): the
/// reason, required, and the last day it applies, optional.
#[component]
fn WaiveDialog(editor: Editor, asking: RwSignal<Option<Finding>>) -> impl IntoView {
    let dialog: NodeRef<leptos::html::Dialog> = NodeRef::new();
    let reason = RwSignal::new(String::new());
    let expires = RwSignal::new(String::new());
    let problem = RwSignal::new(None::<&'static str>);
    Effect::new(move |_| {
        let open = asking.with(Option::is_some);
        if let Some(d) = dialog.get() {
            if open && !d.open() {
                reason.set(String::new());
                expires.set(String::new());
                problem.set(None);
                let _ = d.show_modal();
            } else if !open && d.open() {
                d.close();
            }
        }
    });
    let confirm = move |ev: web_sys::SubmitEvent| {
        ev.prevent_default();
        let Some(f) = asking.get_untracked() else { return };
        let why = reason.get_untracked();
        if why.trim().is_empty() {
            problem.set(Some("A waiver needs a reason."));
            return;
        }
        let day = expires.get_untracked();
        let day = if day.is_empty() {
            None
        } else {
            match Date::parse(&day) {
                Some(d) => Some(d),
                None => {
                    problem.set(Some("The last day must be a date YYYY-MM-DD."));
                    return;
                }
            }
        };
        waive(&editor, &f, &why, day);
        asking.set(None);
    };
    let title =
        move || asking.with(|f| f.as_ref().map(|f| format!("Waive {}: {}", f.rule, f.title)).unwrap_or_default());
    view! {
        <dialog node_ref=dialog class="waive-dialog" data-testid="waive-dialog" aria-labelledby="waive-title" on:close=move |_| asking.set(None)>
            <form on:submit=confirm>
                <h2 id="waive-title">{title}</h2>
                <p class="hint">"The finding stays listed, marked as waived, and no longer counts. The reason is kept in the design."</p>
                <label for="waive-reason">"Why is it accepted for this design?"</label>
                <textarea id="waive-reason" name="waive-reason" rows="3" required prop:value=move || reason.get()
                    on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                <label for="waive-expires">"Last day it applies (optional)"</label>
                <input id="waive-expires" name="waive-expires" type="date" prop:value=move || expires.get()
                    on:input=move |ev| expires.set(event_target_value(&ev)) />
                {move || problem.get().map(|p| view! { <p class="field-error" role="alert">{p}</p> })}
                <div class="dialog-actions">
                    <button type="button" data-action="waive-cancel" on:click=move |_| asking.set(None)>"Cancel"</button>
                    <button type="submit" data-action="waive-confirm">"Waive"</button>
                </div>
            </form>
        </dialog>
    }
}

/// Removes the waivers that waive this finding.
fn unwaive(editor: &Editor, f: &Finding) {
    let indices: Vec<usize> = editor.design.with_value(|d| {
        d.waivers.iter().enumerate().filter(|(_, w)| w.matches(f.rule, &f.nodes)).map(|(i, _)| i).collect()
    });
    editor.execute(Command::Batch(indices.into_iter().rev().map(|index| Command::RemoveWaiver { index }).collect()));
}

#[component]
fn FindingItem(editor: Editor, pointer: Pointer, finding: Finding, asking: RwSignal<Option<Finding>>) -> impl IntoView {
    let fix_label = editor.design.with_value(|d| fixes::label(d, &finding));
    let f_fix = finding.clone();
    let on_fix = move |ev: web_sys::MouseEvent| {
        ev.stop_propagation();
        if let Some(cmd) = editor.design.with_value(|d| fixes::fix(d, &f_fix)) {
            editor.execute(cmd);
            editor.notice(format!("Applied the fix for {}. Undo reverts it.", f_fix.rule));
        }
    };
    let f_waive = finding.clone();
    let on_waive = move |ev: web_sys::MouseEvent| {
        ev.stop_propagation();
        if f_waive.waived {
            unwaive(&editor, &f_waive);
        } else {
            asking.set(Some(f_waive.clone()));
        }
    };
    let nodes: Vec<NodeId> = finding.nodes.iter().filter_map(|n| NodeId::parse(n)).collect();
    let on_click = move |_| {
        editor.select(nodes.clone());
        reveal(&editor, &pointer, &nodes);
    };
    let is_waive_rule = finding.rule.starts_with("WAIVE-");
    view! {
        <li
            class=format!("finding {}", finding.severity.as_str())
            class:waived=finding.waived
            data-rule-id=finding.rule
            data-severity=finding.severity.as_str()
            data-waived=if finding.waived { "true" } else { "false" }
            tabindex="0"
            on:click=on_click
        >
            <div class="finding-head">
                <span class="rule-id">{finding.rule}</span>
                <span class="finding-title">{finding.title}</span>
                {finding.waived.then(|| view! { <span class="waived-tag">"waived"</span> })}
            </div>
            <p class="finding-message">{finding.message.clone()}</p>
            <p class="finding-meta">
                <span class="fix-hint">"Fix: " {finding.fix}</span>
                " · "
                <span class="source">{finding.source}</span>
            </p>
            <div class="finding-actions">
                {fix_label.filter(|_| !finding.waived).map(|l| view! { <button data-action="fix" on:click=on_fix>{l}</button> })}
                {(!is_waive_rule).then(|| view! {
                    <button data-action="waive" on:click=on_waive>{if finding.waived { "Remove waiver" } else { "Waive…" }}</button>
                })}
            </div>
        </li>
    }
}

/// Findings drawn per severity group before its "Show all" button.
const SHOWN: usize = 50;

/// The findings panel.
#[component]
pub fn Findings(editor: Editor, pointer: Pointer) -> impl IntoView {
    let asking = RwSignal::new(None::<Finding>);
    let summary = move || {
        let s = editor.report.with(|r| r.summary);
        format!("{} errors · {} warnings · {} info · {} waived", s.error, s.warning, s.info, s.waived)
    };
    // A group draws its first SHOWN findings and a button for the rest: a large design can have
    // hundreds of the same finding, and drawing them all would slow every edit.
    let group = move |sev: Severity, title: &'static str| {
        let all = RwSignal::new(false);
        move || {
            if !pointer.settled.get() {
                return None;
            }
            let items: Vec<Finding> =
                editor.report.with(|r| r.findings.iter().filter(|f| f.severity == sev).cloned().collect());
            (!items.is_empty()).then(|| {
                let n = items.len();
                let shown = if all.get() { n } else { n.min(SHOWN) };
                let more = (shown < n).then(|| {
                    view! {
                        <button class="small" data-action="show-all-findings" on:click=move |_| all.set(true)>
                            {format!("Show all {n} {}", title.to_ascii_lowercase())}
                        </button>
                    }
                });
                view! {
                    <section class=format!("finding-group {}", sev.as_str())>
                        <h3>{title} " (" {n} ")"</h3>
                        <ul>
                            {items
                                .into_iter()
                                .take(shown)
                                .map(|f| view! { <FindingItem editor=editor pointer=pointer finding=f asking=asking /> })
                                .collect_view()}
                        </ul>
                        {more}
                    </section>
                }
            })
        }
    };
    let clean = move || {
        (pointer.settled.get() && editor.report.with(|r| r.findings.is_empty())).then(|| {
            view! { <p class="all-clear">"No findings: the design follows every documented HA rule."</p> }
        })
    };
    view! {
        <section data-testid="findings" class="findings" aria-label="Findings">
            <header class="findings-head">
                <h2>"Findings"</h2>
                <span class="summary" aria-live="polite">{summary}</span>
            </header>
            {clean}
            {group(Severity::Error, "Errors")}
            {group(Severity::Warning, "Warnings")}
            {group(Severity::Info, "Info")}
            <WaiveDialog editor=editor asking=asking />
        </section>
    }
}
