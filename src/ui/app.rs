//! The app shell: toolbar, palette, messages, share bar, keyboard shortcuts, opening links.

use std::time::Duration;

use leptos::ev;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::canvas::tool::Key;
use super::canvas::{self, add_node_in_view, fit_view, Canvas, Pointer};
use super::exporter::Exporter;
use super::importer::{ImportMenu, ImportReport};
use super::inspector::Inspector;
use super::state::{self, Editor};
use super::{browser, findings};
use crate::export::FirewallFormat;
use crate::model::design::slug;
use crate::model::{clipboard, load_any, save, templates, Command, Design, NodeKind};
use crate::share;

/// Starts the app: replaces the static shell of index.html with the live one.
pub fn start() {
    // A panic aborts the wasm; say why in the console first.
    std::panic::set_hook(Box::new(|info| web_sys::console::error_1(&format!("obkm-topology: {info}").into())));
    // A share link in the address bar is read first (the browser inflates it: a promise), so
    // that the editor starts with it.
    wasm_bindgen_futures::spawn_local(async {
        let link = take_link().await;
        if let Some(shell) = gloo_utils::document().get_element_by_id("shell") {
            shell.remove();
        }
        mount_to_body(move || view! { <App link=link /> });
    });
}

fn template(name: &str) -> Design {
    match templates::design(name) {
        Some(Ok(d)) => d,
        _ => Design::default(),
    }
}

/// The app; `link` is the share link the page was opened with, decoded.
#[component]
fn App(link: Option<Result<Design, share::ShareError>>) -> impl IntoView {
    browser::mark("obkm:start");
    let (restored, startup_error) = match browser::restore() {
        Ok(d) => (d, None),
        Err(e) => (None, Some(e)),
    };
    let had_work = restored.is_some();
    // A share link in the address bar opens over the current design, which stays recoverable;
    // on a first visit (no work yet) the app simply starts with it.
    let (first, link, opened) = match (restored, link) {
        (None, Some(Ok(shared))) => (shared, None, true),
        (restored, link) => (restored.unwrap_or_else(|| template("ha")), link, false),
    };
    let editor = Editor::new(first);
    let pointer = Pointer::new();
    let has_previous = RwSignal::new(browser::previous().is_some());
    if let Some(e) = startup_error {
        editor.alert(e);
    }
    if opened {
        editor.notice("Opened the shared design.");
    }
    let exporter = Exporter::new();
    browser::install_api(move || editor.design.with_value(save), exporter);
    // Persistence follows the design: every change that lands is autosaved (a restored design
    // is not written back unchanged at start-up; a first visit's design is), and a refusal is
    // shown with what was and was not kept. The first visit's write waits until the browser is
    // idle (opening a large design is not slowed by it), or until the page is hidden or left.
    let unsaved = StoredValue::new(false);
    let flush = move || {
        if unsaved.get_value() {
            unsaved.set_value(false);
            if let Err(why) = editor.design.with_value(browser::autosave) {
                editor.alert(why);
            }
        }
    };
    Effect::new(move |first: Option<()>| {
        editor.rev.track();
        match first {
            Some(()) => {
                unsaved.set_value(true);
                flush();
            }
            None if !had_work => {
                unsaved.set_value(true);
                browser::when_idle(flush);
            }
            None => {}
        }
    });
    if let Some(link) = link {
        open_link(&editor, &pointer, has_previous, had_work, link);
    }
    let dark = RwSignal::new(browser::get_item(browser::THEME_KEY).as_deref() == Some("dark"));
    Effect::new(move |_| browser::apply_theme(dark.get()));

    // Pointer moves and releases are followed on the window, so a gesture may leave the canvas;
    // the browser's pointercancel cancels it (never commits it).
    let moves = window_event_listener(ev::pointermove, move |e| canvas::on_pointer_move(&editor, &pointer, &e));
    let ups = window_event_listener(ev::pointerup, move |e| canvas::on_pointer_up(&editor, &pointer, &e));
    let cancels = window_event_listener(ev::pointercancel, move |e| canvas::on_pointer_cancel(&editor, &pointer, &e));
    let keys = window_event_listener(ev::keydown, move |e| on_key(&editor, &pointer, &e));
    let keyups = window_event_listener(ev::keyup, move |e| {
        if e.key() == " " {
            canvas::on_tool_key(&editor, &pointer, Key::SpaceUp);
        }
    });
    let hashes = window_event_listener(ev::hashchange, move |_| {
        leptos::task::spawn_local(async move {
            if let Some(link) = take_link().await {
                open_link(&editor, &pointer, has_previous, true, link);
            }
        })
    });
    let hidden = window_event_listener(ev::pagehide, move |_| flush());
    // The canvas's size follows the window's.
    let resized = window_event_listener(ev::resize, move |_| {
        if let Some(size) = pointer.canvas_size() {
            pointer.size.set(Some(size));
        }
    });
    let leaving = StoredValue::new_local(Some(browser::on_hidden(flush)));
    let other_tab = StoredValue::new(false);
    let storage = window_event_listener(ev::storage, move |e: web_sys::StorageEvent| {
        if e.key().as_deref() == Some(browser::AUTOSAVE_KEY) && !other_tab.get_value() {
            other_tab.set_value(true);
            editor.notice(
                "Another tab is editing a design too. Each tab keeps its own work; a new tab opens the latest.",
            );
        }
    });
    on_cleanup(move || {
        moves.remove();
        ups.remove();
        cancels.remove();
        keys.remove();
        keyups.remove();
        hashes.remove();
        storage.remove();
        hidden.remove();
        resized.remove();
        leaving.set_value(None);
    });
    // Fit the first design into the canvas as soon as the page is mounted (reading the canvas's
    // size lays the page out once, while the canvas is still empty), then draw it: the first
    // frame the browser shows holds the design.
    queue_microtask(move || {
        fit_view(&editor, &pointer);
        pointer.ready.set(true);
        // The design is checked once its first frame is on screen (its badges follow a frame
        // later), the links of a large design are routed after that, and what is below the
        // canvas (the findings list) is drawn last: each in a task of its own after a frame, so
        // that the canvas shows first and no step holds the page long.
        let after_next_frame = |f: Box<dyn FnOnce()>| request_animation_frame(move || set_timeout(f, Duration::ZERO));
        after_next_frame(Box::new(move || {
            editor.check_now();
            after_next_frame(Box::new(move || {
                pointer.routing.set(true);
                after_next_frame(Box::new(move || {
                    pointer.settled.set(true);
                    // The page's own script registers the service worker then (index.html).
                    if let Ok(ev) = web_sys::Event::new("obkm-settled") {
                        let _ = gloo_utils::window().dispatch_event(&ev);
                    }
                }));
            }));
        }));
        // The export worker loads when nothing else waits.
        exporter.start_when_idle();
    });

    let title = move || {
        editor.rev.track();
        editor.design.with_value(|d| d.name.clone())
    };
    let share_link = RwSignal::new(None::<(String, usize)>);
    let import_report = RwSignal::new(None::<super::importer::Report>);
    let compare = super::compare::Compare::new();
    // A replaced design takes its share link with it.
    Effect::new(move |first: Option<()>| {
        editor.replaced.track();
        if first.is_some() {
            share_link.set(None);
        }
    });
    view! {
        <div class="app">
            <header class="topbar">
                <h1 class="brand">"obkm-topology"</h1>
                <span class="design-name" data-testid="design-name">{title}</span>
                <Toolbar editor=editor pointer=pointer dark=dark has_previous=has_previous share_link=share_link exporter=exporter import_report=import_report compare=compare />
            </header>
            <div class="sr-only" aria-live="polite" data-testid="announcer">{move || editor.announcement.get()}</div>
            <main class="workspace">
                <Palette editor=editor pointer=pointer />
                <div class="center" class:has-report=move || import_report.with(Option::is_some) || compare.shown.with(Option::is_some)>
                    // Messages and the share bar float over the canvas: they never move it.
                    <div class="notices">
                        <Messages editor=editor />
                        <ShareBar share_link=share_link />
                    </div>
                    <Canvas editor=editor pointer=pointer compare=compare.shown />
                    <ImportReport report=import_report editor=editor />
                    <super::compare::ComparePanel editor=editor pointer=pointer exporter=exporter compare=compare />
                    <findings::Findings editor=editor pointer=pointer />
                </div>
                <Inspector editor=editor settled=pointer.settled />
            </main>
        </div>
    }
}

/// The share link in the address bar, if any, decoded; it is removed from the address bar once
/// read, so that a reload restores the tab's own autosave rather than the link.
async fn take_link() -> Option<Result<Design, share::ShareError>> {
    let hash = browser::location_hash();
    if hash.trim_start_matches('#').is_empty() {
        return None;
    }
    browser::clear_hash();
    let r = browser::decode_link(&hash).await;
    browser::mark("obkm:link-decoded");
    Some(r)
}

/// Replaces the design with one the user opened or imported (`done` says so: "Opened x.json"),
/// keeping the replaced one for "Restore previous" (Undo brings it back too), and says what
/// happened.
pub(super) fn open_over(editor: &Editor, pointer: &Pointer, has_previous: RwSignal<bool>, design: Design, done: &str) {
    let kept = editor.design.with_value(browser::keep_previous);
    has_previous.set(kept.is_ok() || has_previous.get_untracked());
    editor.replace(design);
    fit_view(editor, pointer);
    match kept {
        Ok(()) => editor.notice(format!("{done}. Undo or “Restore previous” brings back the previous design.")),
        Err(why) => editor.alert(format!(
            "{done}. The previous design could not be kept for “Restore previous” ({why}); Undo still brings it back."
        )),
    }
}

/// Opens a decoded share link over the current design. The design it replaces is kept as the
/// previous design (`keep_current`: there was real work, not a first-visit template); a link
/// that cannot be opened is reported and changes nothing.
fn open_link(
    editor: &Editor,
    pointer: &Pointer,
    has_previous: RwSignal<bool>,
    keep_current: bool,
    link: Result<Design, share::ShareError>,
) {
    match link {
        Ok(shared) => {
            let current = editor.design.with_value(Clone::clone);
            let keep = keep_current && !current.nodes.is_empty() && save(&current) != save(&shared);
            let kept = if keep { Some(browser::keep_previous(&current)) } else { None };
            if matches!(kept, Some(Ok(()))) {
                has_previous.set(true);
            }
            editor.replace(shared);
            fit_view(editor, pointer);
            match kept {
                Some(Ok(())) => editor.notice(
                    "Opened the shared design. Your previous design is kept: “Restore previous” brings it back.",
                ),
                Some(Err(why)) => editor.alert(format!(
                    "Opened the shared design. Your previous design could not be kept ({why}); Undo brings it back."
                )),
                None => editor.notice("Opened the shared design."),
            }
        }
        Err(e) => editor.alert(format!("This link cannot be opened: {e}. Your design is unchanged.")),
    }
}

/// Keyboard shortcuts on the window (ignored while typing in a form field).
fn on_key(editor: &Editor, pointer: &Pointer, e: &web_sys::KeyboardEvent) {
    let typing = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().to_ascii_lowercase().as_str(), "input" | "select" | "textarea"));
    let key = e.key();
    // While a gesture is under way only Escape (cancel) and Space (pan) mean something: no
    // command lands in the middle of a drag.
    if !pointer.idle() && !matches!(key.as_str(), "Escape" | " ") {
        return;
    }
    let cmd = e.ctrl_key() || e.meta_key();
    if cmd && !typing && (key == "z" || key == "Z") {
        e.prevent_default();
        if e.shift_key() {
            editor.redo();
        } else {
            editor.undo();
        }
        return;
    }
    // `/` or Ctrl/Cmd+K: to the search box.
    if !typing && ((cmd && (key == "k" || key == "K")) || (key == "/" && !cmd && !e.alt_key())) {
        if let Some(input) = pointer.search.get_untracked() {
            e.prevent_default();
            let _ = input.focus();
        }
        return;
    }
    if cmd && !typing && (key == "y" || key == "Y") {
        e.prevent_default();
        editor.redo();
        return;
    }
    if cmd && !typing && matches!(key.as_str(), "c" | "C" | "v" | "V" | "d" | "D") {
        let ids = editor.selected.get_untracked();
        match key.to_ascii_lowercase().as_str() {
            "c" if !ids.is_empty() => {
                editor.clip.set_value(Some((editor.design.with_value(|d| clipboard::copy(d, &ids)), 0)))
            }
            "v" => paste(editor),
            "d" if !ids.is_empty() => {
                e.prevent_default();
                editor.clip.set_value(Some((editor.design.with_value(|d| clipboard::copy(d, &ids)), 0)));
                paste(editor);
            }
            _ => return,
        }
        return;
    }
    if typing {
        return;
    }
    match key.as_str() {
        " " => {
            // Space+drag pans, as in drawing tools. On a focused node, Space selects it too.
            canvas::on_tool_key(editor, pointer, Key::SpaceDown);
        }
        "Delete" | "Backspace" => {
            e.prevent_default();
            delete_selection(editor);
        }
        // Escape cancels the gesture under way; with none, it clears the selection.
        "Escape" if !canvas::on_tool_key(editor, pointer, Key::Escape) => {
            editor.select(Vec::new());
            editor.selected_link.set(None);
        }
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" if e.alt_key() => {
            // Alt+arrow moves the keyboard focus to the nearest node in that direction.
            e.prevent_default();
            focus_nearest(editor, key.as_str());
        }
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" => {
            let ids = editor.selected.get_untracked();
            if ids.is_empty() {
                return;
            }
            e.prevent_default();
            let step = if e.shift_key() { 1.0 } else { state::GRID };
            let (dx, dy) = match key.as_str() {
                "ArrowLeft" => (-step, 0.0),
                "ArrowRight" => (step, 0.0),
                "ArrowUp" => (0.0, -step),
                _ => (0.0, step),
            };
            let moves = editor.design.with_value(|d| {
                ids.iter()
                    .filter_map(|id| d.node(id))
                    .map(|n| Command::MoveNode { id: n.id.clone(), x: n.x + dx, y: n.y + dy })
                    .collect()
            });
            editor.execute(Command::Batch(moves));
        }
        _ => {}
    }
}

/// The node that has the keyboard focus, else the first selected one.
fn focused_node(editor: &Editor) -> Option<crate::model::NodeId> {
    let document = gloo_utils::document();
    let focused = document
        .active_element()
        .and_then(|el| el.closest("[data-node-id]").ok().flatten())
        .and_then(|el| el.get_attribute("data-node-id"))
        .and_then(|id| crate::model::NodeId::parse(&id));
    focused.or_else(|| editor.selected.get_untracked().into_iter().next())
}

/// Focuses the nearest node in an arrow's direction (within 45° of it) from the focused one.
fn focus_nearest(editor: &Editor, arrow: &str) {
    let (dx, dy) = match arrow {
        "ArrowLeft" => (-1.0, 0.0),
        "ArrowRight" => (1.0, 0.0),
        "ArrowUp" => (0.0, -1.0),
        _ => (0.0, 1.0),
    };
    let from = focused_node(editor);
    let target = editor.design.with_value(|d| {
        let Some(origin) = from.as_ref().and_then(|id| d.node(id)) else {
            return d.nodes.first().map(|n| n.id.clone());
        };
        d.nodes
            .iter()
            .filter(|n| n.id != origin.id)
            .filter_map(|n| {
                let (vx, vy) = (n.x - origin.x, n.y - origin.y);
                let along = vx * dx + vy * dy;
                let across = (vx * dy - vy * dx).abs();
                (along > 0.0 && across <= along).then(|| (along + 2.0 * across, n.id.clone()))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    });
    if let Some(id) = target {
        let el = gloo_utils::document().query_selector(&format!("[data-node-id=\"{id}\"]")).ok().flatten();
        if let Some(el) = el.and_then(|e| e.dyn_into::<web_sys::SvgElement>().ok()) {
            let _ = el.focus();
            editor.announce(format!("{id} focused"));
        }
    }
}

/// Pastes the copied nodes (each paste a little further), selects them, as one step.
fn paste(editor: &Editor) {
    let Some((clip, count)) = editor.clip.get_value() else { return };
    let offset = 30.0 * f64::from(count + 1);
    let (cmd, ids) = editor.design.with_value(|d| clipboard::paste(d, &clip, (offset, offset)));
    editor.clip.set_value(Some((clip, count + 1)));
    editor.execute(cmd);
    editor.select(ids);
}

/// Deletes the selected nodes (with their links) or the selected link, as one step.
fn delete_selection(editor: &Editor) {
    let ids = editor.selected.get_untracked();
    if !ids.is_empty() {
        editor.execute(Command::Batch(ids.into_iter().map(|id| Command::RemoveNode { id }).collect()));
    } else if let Some(key) = editor.selected_link.get_untracked() {
        editor.selected_link.set(None);
        if let Some(index) = editor.link_index(&key) {
            editor.execute(Command::RemoveLink { index });
        }
    }
}

#[component]
fn Toolbar(
    editor: Editor,
    pointer: Pointer,
    dark: RwSignal<bool>,
    has_previous: RwSignal<bool>,
    share_link: RwSignal<Option<(String, usize)>>,
    exporter: Exporter,
    import_report: RwSignal<Option<super::importer::Report>>,
    compare: super::compare::Compare,
) -> impl IntoView {
    let importer = Exporter::importer();
    // A job for the export worker on the current design.
    let job = move |kind: &str, extra: serde_json::Value| {
        super::exporter::job(kind, editor.design.with_value(save), state::today(), extra)
    };
    // A job whose file is downloaded, then said (or why it failed, after `failed`).
    let download = move |job: serde_json::Value, failed: &'static str| {
        exporter.run(job, move |done| {
            match done.and_then(|d| browser::download_bytes(&d.name, &d.mime, &d.bytes).map(|()| d.name)) {
                Ok(name) => editor.notice(format!("Exported {name}.")),
                Err(e) => editor.alert(format!("{failed}: {e}")),
            }
        });
    };
    let file_input: NodeRef<leptos::html::Input> = NodeRef::new();
    let open_chosen = move |_| {
        let Some(input) = file_input.get_untracked() else { return };
        leptos::task::spawn_local(async move {
            let Some((name, text)) = browser::read_chosen_file(&input).await else { return };
            input.set_value("");
            match text.map_err(|e| e.to_string()).and_then(|t| load_any(&t).map_err(|e| e.to_string())) {
                Ok(design) => open_over(&editor, &pointer, has_previous, design, &format!("Opened {name}")),
                Err(e) => editor.alert(format!("Cannot open {name}: {e}. The current design is unchanged.")),
            }
        });
    };
    let save_file = move |_| {
        let (name, text) = editor.design.with_value(|d| (slug(&d.name), save(d)));
        if let Err(e) = browser::download(&format!("{name}.json"), "application/json", &text) {
            editor.alert(e);
        }
    };
    // Replacing work says so, with Undo (instead of a confirmation first).
    let replaced_work = move |what: &'static str| {
        let n = editor.design.with_value(|d| d.nodes.len());
        move || {
            if n > 0 {
                editor.notice_with_undo(format!(
                    "{what} replaced the design and its {n} node(s). Undo brings them back."
                ));
            }
        }
    };
    let use_template = move |name: &'static str| {
        let said = replaced_work("The template");
        editor.replace(template(name));
        fit_view(&editor, &pointer);
        said();
    };
    let new_design = move |_| {
        let said = replaced_work("New");
        editor.replace(Design::default());
        editor.view.set(state::Viewport::default());
        said();
    };
    let export_bundle = move |_| {
        if !editor.fields_valid("The bundle") {
            return;
        }
        download(job("bundle", serde_json::Value::Null), "The bundle could not be made");
    };
    let export_firewall = move |format: FirewallFormat| {
        if !editor.fields_valid("The firewall export") {
            return;
        }
        let selected = editor.selected.get_untracked();
        let node = match selected.as_slice() {
            [one] => Some(one.to_string()),
            _ => None,
        };
        let extra = serde_json::json!({ "format": format.as_str(), "node": node });
        download(job("firewall", extra), "The firewall matrix could not be exported");
    };
    let share_design = move |_| {
        if !editor.fields_valid("Sharing") {
            return;
        }
        exporter.run(job("share", serde_json::json!({ "base_url": browser::base_url() })), move |done| {
            let meta = match done {
                Ok(d) => d.meta,
                Err(e) => return editor.alert(format!("The share link could not be made: {e}")),
            };
            if let Some(why) = meta["too_large"].as_str() {
                share_link.set(None);
                editor.alert(format!("{}: save it and share the file.", capitalized(why)));
                return;
            }
            let url = meta["url"].as_str().unwrap_or_default().to_string();
            let len = meta["fragment_length"].as_u64().unwrap_or_default() as usize;
            browser::copy_to_clipboard(&url);
            share_link.set(Some((url, len)));
            if meta["dropped_unknown"].as_bool() == Some(true) {
                editor.notice("Fields this release does not know were left out of the link (a saved file keeps them).");
            } else {
                editor.notice("The share link is copied to the clipboard.");
            }
        });
    };
    let restore_previous = move |_| {
        let Some(previous) = browser::previous() else {
            has_previous.set(false);
            return;
        };
        let kept = editor.design.with_value(browser::keep_previous);
        editor.replace(previous);
        fit_view(&editor, &pointer);
        match kept {
            Ok(()) => editor
                .notice("Restored the previous design. The one it replaced is kept: “Restore previous” swaps back."),
            Err(why) => editor.alert(format!(
                "Restored the previous design. The one it replaced could not be kept ({why}); Undo brings it back."
            )),
        }
    };
    let export_svg = move |_| {
        if !editor.fields_valid("The diagram export") {
            return;
        }
        exporter.run(job("diagram", serde_json::Value::Null), move |done| {
            if let Err(e) = done.and_then(|d| browser::download_bytes(&d.name, &d.mime, &d.bytes)) {
                editor.alert(format!("The diagram could not be exported: {e}"));
            }
        });
    };
    let export_png = move |_| {
        if !editor.fields_valid("The diagram export") {
            return;
        }
        exporter.run(job("diagram", serde_json::Value::Null), move |done| match done {
            Ok(d) => {
                let name = format!("{}.png", d.name.trim_end_matches(".svg"));
                let svg = String::from_utf8_lossy(&d.bytes).into_owned();
                browser::download_svg_as_png(&svg, &name, move |e| editor.alert(e));
            }
            Err(e) => editor.alert(format!("The diagram could not be exported: {e}")),
        });
    };
    let auto_layout = move |_| {
        let cmd = editor.design.with_value(crate::model::layout::auto_layout);
        editor.execute(cmd);
        fit_view(&editor, &pointer);
    };
    let toggle_theme = move |_| {
        dark.update(|d| *d = !*d);
        // A theme that is not remembered costs nothing but the next visit's default.
        let _ = browser::set_item(browser::THEME_KEY, if dark.get_untracked() { "dark" } else { "light" });
    };
    view! {
        <nav class="toolbar" role="toolbar" aria-label="Design actions">
            <button data-action="new" on:click=new_design title="Start an empty design">"New"</button>
            <button data-action="template-ha" on:click=move |_| use_template("ha") title="The documented two-node HA pattern">"HA template"</button>
            <button data-action="template-two-zones" on:click=move |_| use_template("ha-two-zones") title="Four Key Manager nodes in two zones">"Two zones"</button>
            <button data-action="template-broken" on:click=move |_| use_template("broken") title="A deliberately broken single-node design">"Broken example"</button>
            <span class="sep"></span>
            <button data-action="open" on:click=move |_| { if let Some(i) = file_input.get_untracked() { i.click(); } } title="Open a design file (JSON), or a diagram exported from here (SVG)">"Open…"</button>
            <input node_ref=file_input type="file" accept=".json,.svg,application/json,image/svg+xml" class="hidden" data-testid="file-input" on:change=open_chosen />
            <ImportMenu editor=editor pointer=pointer importer=importer has_previous=has_previous report=import_report />
            <super::compare::CompareMenu editor=editor exporter=exporter compare=compare />
            <button data-action="save" on:click=save_file title="Save the design as a JSON file">"Save"</button>
            <button data-action="share" on:click=share_design title="Copy a link that holds the whole design">"Share"</button>
            {move || has_previous.get().then(|| view! {
                <button data-action="restore-previous" on:click=restore_previous title="Bring back the design that an opened link or file replaced">"Restore previous"</button>
            })}
            <span class="sep"></span>
            <button data-action="export-bundle" on:click=export_bundle title="Download the configuration bundle (zip): every node's configuration, the firewall matrix, the findings">"Export bundle"</button>
            <span class="group" role="group" aria-label="Export the firewall matrix">
                <span class="group-label">"Firewall:"</span>
                <button data-action="export-firewall-csv" on:click=move |_| export_firewall(FirewallFormat::Csv) title="The flow matrix as CSV">"CSV"</button>
                <button data-action="export-firewall-md" on:click=move |_| export_firewall(FirewallFormat::Markdown) title="The flow matrix as Markdown">"MD"</button>
                <button data-action="export-firewall-nft" on:click=move |_| export_firewall(FirewallFormat::Nft) title="nftables rules: of the selected node, or of every host (zip)">"nft"</button>
                <button data-action="export-firewall-iptables" on:click=move |_| export_firewall(FirewallFormat::Iptables) title="iptables rules: of the selected node, or of every host (zip)">"iptables"</button>
                <button data-action="export-firewall-terraform" on:click=move |_| export_firewall(FirewallFormat::Terraform) title="AWS security groups (Terraform)">"Terraform"</button>
            </span>
            <button data-action="export-svg" on:click=export_svg title="The diagram as SVG">"SVG"</button>
            <button data-action="export-png" on:click=export_png title="The diagram as PNG">"PNG"</button>
            {move || (exporter.pending.get() > 0).then(|| view! {
                <span class="export-progress" data-testid="export-progress" role="status">
                    {move || if exporter.ready.get() { "Exporting…" } else { "Loading the exporter…" }}
                </span>
            })}
            <span class="sep"></span>
            <button data-action="auto-layout" on:click=auto_layout title="Arrange the nodes in columns along the traffic path">"Auto-layout"</button>
            <button data-action="undo" on:click=move |_| editor.undo() prop:disabled=move || !editor.can_undo.get() title="Undo (Ctrl+Z)">"Undo"</button>
            <button data-action="redo" on:click=move |_| editor.redo() prop:disabled=move || !editor.can_redo.get() title="Redo (Ctrl+Shift+Z, Ctrl+Y)">"Redo"</button>
            <button data-action="delete-selection" on:click=move |_| delete_selection(&editor) title="Delete the selection (Delete)">"Delete"</button>
            <span class="sep"></span>
            <label class="toggle"><input type="checkbox" data-action="snap" prop:checked=move || editor.snap.get() on:change=move |ev| editor.snap.set(event_target_checked(&ev)) />"Snap"</label>
            <button data-action="theme" on:click=toggle_theme title="Light or dark theme">{move || if dark.get() { "Light" } else { "Dark" }}</button>
        </nav>
    }
}

#[component]
fn Palette(editor: Editor, pointer: Pointer) -> impl IntoView {
    let items = NodeKind::ALL
        .into_iter()
        .map(|kind| {
            let down = move |ev: web_sys::PointerEvent| canvas::on_palette_down(&editor, &pointer, kind, &ev);
            view! {
                <button
                    class=format!("palette-item kind-{}", kind.as_str())
                    data-kind=kind.as_str()
                    title="Drag onto the canvas, or click to add in view"
                    on:pointerdown=down
                    on:click=move |_| add_node_in_view(&editor, &pointer, kind)
                >
                    <span class="palette-icon" aria-hidden="true">{canvas::glyph(kind)}</span>
                    <span class="sr-only">"Add "</span>
                    <span>{kind.title()}</span>
                </button>
            }
        })
        .collect_view();
    view! {
        <nav class="palette" data-testid="palette" aria-label="Node palette">
            <h2>"Add"</h2>
            {items}
            <p class="hint">"Drag a node's round handle to another node to connect them."</p>
        </nav>
    }
}

#[component]
fn ShareBar(share_link: RwSignal<Option<(String, usize)>>) -> impl IntoView {
    move || {
        share_link.get().map(|(url, len)| {
            let long = len > share::LONG_LINK;
            view! {
                <div class="share-bar" class:long=long>
                    <span class="share-label">"Share link"</span>
                    <output data-testid="share-url" class="share-url">{url}</output>
                    <span data-testid="share-length" class="share-length">{len} " characters"</span>
                    {long.then(|| view! { <span class="share-warning">"Long link: some tools cut links over 2,000 characters; share the saved file instead."</span> })}
                    <button class="dismiss" aria-label="Close" on:click=move |_| share_link.set(None)>"×"</button>
                </div>
            }
        })
    }
}

#[component]
fn Messages(editor: Editor) -> impl IntoView {
    move || {
        editor.message.get().map(|m| {
            let role = if m.error { "alert" } else { "status" };
            view! {
                <div class=if m.error { "message error" } else { "message notice" } role=role>
                    <span>{m.text}</span>
                    {m.undo.then(|| view! {
                        <button data-action="undo-replace" on:click=move |_| {
                            editor.undo();
                            editor.message.set(None);
                        }>"Undo"</button>
                    })}
                    <button class="dismiss" aria-label="Dismiss" on:click=move |_| editor.message.set(None)>"×"</button>
                </div>
            }
        })
    }
}

/// A sentence's first letter in upper case.
fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| std::iter::once(f.to_ascii_uppercase()).chain(c).collect()).unwrap_or_default()
}
