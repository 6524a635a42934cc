//! Browser glue in one place: local storage (autosave), downloads, reading a chosen file,
//! and the read-only `window.obkmTopology` API for tests and power users.

use leptos::prelude::{WithUntracked, WithValue};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::state::Editor;
use crate::model::{load, save, Design};

/// The local-storage key of the autosaved design.
pub const AUTOSAVE_KEY: &str = "obkm-topology.design";
/// Where an autosave that could not be read is kept, so that nothing is lost.
pub const UNREADABLE_KEY: &str = "obkm-topology.design.unreadable";
/// The theme preference.
pub const THEME_KEY: &str = "obkm-topology.theme";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Reads a local-storage entry.
pub fn get_item(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Writes a local-storage entry; false when the browser refused (quota, privacy mode).
pub fn set_item(key: &str, value: &str) -> bool {
    storage().is_some_and(|s| s.set_item(key, value).is_ok())
}

/// Saves the design to local storage; tells the user once when the browser refuses.
pub fn autosave(editor: &Editor) {
    let text = editor.design.with_value(save);
    if !set_item(AUTOSAVE_KEY, &text) {
        editor.alert("This browser refused to keep the design (storage full or disabled): save it to a file.");
    }
}

/// The design to start with: the autosaved one, or `None` on a first visit. An autosave
/// that cannot be read is kept under another key and reported.
pub fn restore() -> Result<Option<Design>, String> {
    let Some(text) = get_item(AUTOSAVE_KEY) else { return Ok(None) };
    match load(&text) {
        Ok(d) => Ok(Some(d)),
        Err(e) => {
            set_item(UNREADABLE_KEY, &text);
            Err(format!(
                "The autosaved design could not be read ({e}); it is kept in local storage under {UNREADABLE_KEY}."
            ))
        }
    }
}

/// Offers text as a file download.
pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    download_bytes(filename, mime, text.as_bytes())
}

/// Offers bytes as a file download.
pub fn download_bytes(filename: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: JsValue| format!("download failed: {e:?}");
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::of1(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document.create_element("a").map_err(fail)?.unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// Reads the first file chosen in a file input, as text.
pub async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Option<(String, Result<String, String>)> {
    let file = input.files()?.get(0)?;
    let name = file.name();
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|e| format!("{e:?}"))
        .and_then(|v| v.as_string().ok_or_else(|| "the file is not text".to_string()));
    Some((name, text))
}

/// Installs `window.obkmTopology` with `design()`, returning the current design as its
/// canonical JSON text, and `findings()`, the checker's JSON output for it.
pub fn install_api(editor: Editor) {
    let Some(window) = web_sys::window() else { return };
    let api = js_sys::Object::new();
    let design = Closure::<dyn Fn() -> String>::new(move || editor.design.with_value(save));
    let _ = js_sys::Reflect::set(&api, &"design".into(), design.as_ref());
    design.forget();
    let findings =
        Closure::<dyn Fn() -> String>::new(move || editor.report.with_untracked(crate::rules::output::to_json));
    let _ = js_sys::Reflect::set(&api, &"findings".into(), findings.as_ref());
    findings.forget();
    let _ = js_sys::Reflect::set(&window, &"obkmTopology".into(), &api);
}

/// Sets the theme on the document element.
pub fn apply_theme(dark: bool) {
    if let Some(el) = web_sys::window().and_then(|w| w.document()).and_then(|d| d.document_element()) {
        let _ = el.set_attribute("data-theme", if dark { "dark" } else { "light" });
    }
}
