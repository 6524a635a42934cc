//! "Import configs…": a running deployment's configuration files (a folder, or a zip archive)
//! rebuilt into a design. The page only checks the files' number and sizes and hands the
//! browser's `File` objects to the import worker (a module of its own, loaded by the first
//! import), which reads them and runs the importer
//! (`export::job::import`, the same code as `obkm-topology import`); nothing leaves the browser.
//! The rebuilt design (laid out by the importer) replaces the current one as one undoable step,
//! the replaced design is kept for "Restore previous", and the import report is shown beside
//! the canvas.

use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::app::open_over;
use super::browser;
use super::canvas::Pointer;
use super::exporter::Exporter;
use super::state::{self, Editor};
use crate::import::input::{MAX_FILE, MAX_FILES, MAX_TOTAL};
use crate::model::load;

/// The import report the panel shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    /// What was imported (the folder's or the archive's name).
    pub source: String,
    /// The report for people (`import::report::to_text`).
    pub text: String,
    /// The report as JSON (`import::report::to_json`).
    pub json: String,
    /// Files read.
    pub files_read: u64,
    /// Nodes rebuilt.
    pub nodes: u64,
    /// Files of a folder that were not loaded, since the import reads no file of their name.
    pub not_loaded: usize,
}

/// The toolbar's "Import configs…" menu: the product, and a folder or a zip archive to read.
#[component]
pub fn ImportMenu(
    editor: Editor,
    pointer: Pointer,
    importer: Exporter,
    has_previous: RwSignal<bool>,
    report: RwSignal<Option<Report>>,
) -> impl IntoView {
    let folder_input: NodeRef<leptos::html::Input> = NodeRef::new();
    let zip_input: NodeRef<leptos::html::Input> = NodeRef::new();
    let menu: NodeRef<leptos::html::Details> = NodeRef::new();
    let product = RwSignal::new(String::new());
    // A folder picker: Leptos knows no `webkitdirectory` attribute, so it is set once mounted.
    folder_input.on_load(|input| {
        let _ = input.set_attribute("webkitdirectory", "");
    });
    let close_menu = move || {
        if let Some(m) = menu.get_untracked() {
            m.set_open(false);
        }
    };
    let chosen = move |input: NodeRef<leptos::html::Input>, folder: bool| {
        let Some(input) = input.get_untracked() else { return };
        let picked = picked_files(&input, folder);
        input.set_value("");
        close_menu();
        let (source, extra, not_loaded) = match picked {
            Ok(Some(p)) => p,
            Ok(None) => return,
            Err(why) => return editor.alert(format!("Cannot import: {why}. The current design is unchanged.")),
        };
        let p = product.get_untracked();
        let job = serde_json::json!({
            "kind": "import",
            "today": state::today().to_string(),
            "product": (!p.is_empty()).then_some(p),
        });
        importer.run_with(job, Some(extra), move |done| {
            let done = match done {
                Ok(d) => d,
                Err(e) => {
                    return editor.alert(format!("Cannot import {source}: {e}. The current design is unchanged."))
                }
            };
            let design = match std::str::from_utf8(&done.bytes)
                .map_err(|e| e.to_string())
                .and_then(|t| load(t).map_err(|e| e.to_string()))
            {
                Ok(d) => d,
                Err(e) => {
                    return editor.alert(format!("Cannot import {source}: {e}. The current design is unchanged."))
                }
            };
            open_over(&editor, &pointer, has_previous, design, &format!("Imported {source}"));
            let meta = &done.meta;
            let text = |k: &str| meta[k].as_str().unwrap_or_default().to_string();
            report.set(Some(Report {
                source: source.clone(),
                text: text("text"),
                json: text("json"),
                files_read: meta["files_read"].as_u64().unwrap_or_default(),
                nodes: meta["nodes"].as_u64().unwrap_or_default(),
                not_loaded,
            }));
        });
    };
    let click = move |input: NodeRef<leptos::html::Input>| {
        if let Some(i) = input.get_untracked() {
            i.click();
        }
    };
    view! {
        <details class="menu import-menu" node_ref=menu>
            <summary data-action="import" title="Rebuild the design from a running deployment's configuration files">"Import configs…"</summary>
            <div class="menu-body" role="group" aria-label="Import a deployment's configuration files">
                <p class="hint">"One sub-folder per node (its repository/conf files), and load balancer files (nginx, HAProxy, a Kubernetes Ingress). Without a product, XML files are read as OB KM 1.5 and deployment.toml as OB IAM 2.0. The files are read in this browser; nothing is sent anywhere."</p>
                <label>"Product "
                    <select data-testid="import-product" on:change=move |ev| product.set(event_target_value(&ev))>
                        <option value="" selected>"As the files say"</option>
                        <option value="ob-km-1.5">"OB Key Manager 1.5"</option>
                        <option value="ob-km-1.4">"OB Key Manager 1.4"</option>
                        <option value="ob-km-1.3">"OB Key Manager 1.3"</option>
                        <option value="ob-iam-2.0">"OB IAM 2.0"</option>
                    </select>
                </label>
                <div class="menu-actions">
                    <button data-action="import-folder" on:click=move |_| click(folder_input)>"A folder…"</button>
                    <button data-action="import-zip" on:click=move |_| click(zip_input)>"A zip archive…"</button>
                </div>
            </div>
            <input node_ref=folder_input type="file" multiple=true class="hidden" data-testid="import-folder-input" on:change=move |_| chosen(folder_input, true) />
            <input node_ref=zip_input type="file" accept=".zip,application/zip" class="hidden" data-testid="import-zip-input" on:change=move |_| chosen(zip_input, false) />
        </details>
        {move || (importer.pending.get() > 0).then(|| view! {
            <span class="export-progress" data-testid="import-progress" role="status">
                {move || if importer.ready.get() { "Importing…" } else { "Loading the importer…" }}
            </span>
        })}
    }
}

/// What the user picked, checked against the import's caps before anything is read: the name
/// to show, the message keys for the worker (`zip`, or `files` and `paths`), and how many
/// files of a folder were left out (none of a name the import reads).
fn picked_files(
    input: &web_sys::HtmlInputElement,
    folder: bool,
) -> Result<Option<(String, js_sys::Object, usize)>, String> {
    let Some(list) = input.files() else { return Ok(None) };
    if list.length() == 0 {
        return Ok(None);
    }
    let extra = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        let _ = js_sys::Reflect::set(&extra, &k.into(), v);
    };
    if !folder {
        let Some(file) = list.get(0) else { return Ok(None) };
        let name = file.name();
        if file.size() > MAX_TOTAL as f64 {
            return Err(format!("{name} is larger than {} MiB", MAX_TOTAL / (1024 * 1024)));
        }
        set("zip", &file);
        return Ok(Some((name, extra, 0)));
    }
    let files = js_sys::Array::new();
    let paths = js_sys::Array::new();
    let mut total = 0f64;
    let mut not_loaded = 0;
    let mut root = String::new();
    for i in 0..list.length() {
        let Some(file) = list.get(i) else { continue };
        let path = js_sys::Reflect::get(&file, &"webkitRelativePath".into())
            .ok()
            .and_then(|p| p.as_string())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| file.name());
        if root.is_empty() {
            root = path.split('/').next().unwrap_or_default().to_string();
        }
        // A product folder holds thousands of files the import never reads (jars, logs):
        // only the files it reads are loaded and counted against its caps.
        if !crate::import::reads(&path) {
            not_loaded += 1;
            continue;
        }
        if files.length() as usize >= MAX_FILES {
            return Err(format!("more than {MAX_FILES} configuration files: import one deployment at a time"));
        }
        if file.size() > MAX_FILE as f64 {
            return Err(format!("{path} is larger than {} MiB", MAX_FILE / (1024 * 1024)));
        }
        total += file.size();
        if total > MAX_TOTAL as f64 {
            return Err(format!("the files add up to more than {} MiB", MAX_TOTAL / (1024 * 1024)));
        }
        files.push(&file);
        paths.push(&path.into());
    }
    if files.length() == 0 {
        return Err(format!(
            "{} holds no configuration file the import reads (axis2.xml, carbon.xml, master-datasources.xml, user-mgt.xml, deployment.toml, nginx, HAProxy or Ingress files)",
            if root.is_empty() { "the folder" } else { root.as_str() }
        ));
    }
    set("files", &files);
    set("paths", &paths);
    Ok(Some((root, extra, not_loaded)))
}

/// The import report beside the canvas: the import findings with their file and line, what no
/// file says, and the whole report (every value with its source), to read or download.
#[component]
pub fn ImportReport(report: RwSignal<Option<Report>>, editor: Editor) -> impl IntoView {
    move || {
        report.get().map(|r| {
            let doc: Value = serde_json::from_str(&r.json).unwrap_or(Value::Null);
            let findings: Vec<Value> = doc["findings"].as_array().cloned().unwrap_or_default();
            let unknown: Vec<String> = doc["unknown"]
                .as_array()
                .map(|a| a.iter().filter_map(|u| u.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            let errors = findings.iter().filter(|f| f["severity"] == "error").count();
            let no_findings = findings.is_empty();
            let summary = format!(
                "{}: {} file(s) read, {} node(s) rebuilt{}. {} import finding(s){}.",
                r.source,
                r.files_read,
                r.nodes,
                if r.not_loaded > 0 { format!("; {} other file(s) not loaded", r.not_loaded) } else { String::new() },
                findings.len(),
                if errors > 0 { format!(", {errors} error(s)") } else { String::new() },
            );
            let rows = findings
                .into_iter()
                .map(|f| {
                    let s = |k: &str| f[k].as_str().unwrap_or_default().to_string();
                    let at = match (f["location"]["file"].as_str(), f["location"]["line"].as_u64()) {
                        (Some(file), Some(line)) => format!("{file}:{line}"),
                        _ => String::new(),
                    };
                    let severity = s("severity");
                    view! {
                        <li class=format!("import-finding {severity}") data-rule-id=s("rule") data-severity=severity.clone()>
                            <span class="rule">{s("rule")}</span>" "
                            <span class="message">{s("message")}</span>
                            {(!at.is_empty()).then(|| view! { <span class="at">{at}</span> })}
                            <span class="fix">{s("fix")}</span>
                        </li>
                    }
                })
                .collect_view();
            let n_unknown = unknown.len();
            let unknown = unknown.into_iter().map(|u| view! { <li>{u}</li> }).collect_view();
            let (json, text, name) = (r.json.clone(), r.text.clone(), r.source.clone());
            let save = move |json_format: bool| {
                let base = crate::model::design::slug(&name);
                let result = if json_format {
                    browser::download(&format!("{base}-import-report.json"), "application/json", &json)
                } else {
                    browser::download(&format!("{base}-import-report.txt"), "text/plain", &text)
                };
                if let Err(e) = result {
                    editor.alert(e);
                }
            };
            let save_text = save.clone();
            view! {
                <aside class="import-report" data-testid="import-report" aria-label="Import report">
                    <div class="import-head">
                        <h2>"Import report"</h2>
                        <button class="dismiss" aria-label="Close the import report" data-action="close-import-report" on:click=move |_| report.set(None)>"×"</button>
                    </div>
                    <p class="summary" data-testid="import-summary">{summary}</p>
                    {no_findings.then(|| view! { <p class="import-clean">"No import findings: the nodes' files agree with each other and with the load balancers."</p> })}
                    <ul class="import-findings">{rows}</ul>
                    <details>
                        <summary>{format!("What no file says ({n_unknown})")}</summary>
                        <ul class="import-unknown">{unknown}</ul>
                    </details>
                    <details>
                        <summary>"Every imported value, with its file and line"</summary>
                        <pre data-testid="import-report-text" tabindex="0" aria-label="The import report as text">{r.text.clone()}</pre>
                    </details>
                    <p class="hint">"The checker's findings on the rebuilt design are listed below the canvas, as for any design."</p>
                    <div class="menu-actions">
                        <button data-action="save-import-report-text" on:click=move |_| save_text(false)>"Save report"</button>
                        <button data-action="save-import-report-json" on:click=move |_| save(true)>"Save as JSON"</button>
                    </div>
                </aside>
            }
        })
    }
}
