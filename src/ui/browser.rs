//! Browser glue in one place: local storage (autosave), downloads, reading a chosen file,
//! and the read-only `window.obkmTopology` API for tests and power users.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::model::{load, save, Date, Design};
use crate::share;

/// Today in UTC, from the browser's clock.
pub fn today() -> Date {
    let now = js_sys::Date::new_0();
    Date { year: now.get_utc_full_year(), month: now.get_utc_month() + 1, day: now.get_utc_date() }
}

/// The local-storage key of the latest autosaved design (what a new tab opens).
pub const AUTOSAVE_KEY: &str = "obkm-topology.design";
/// The design an opened link or file replaced, kept until restored or replaced itself.
pub const PREVIOUS_KEY: &str = "obkm-topology.previous";
/// The session-storage key of this tab's id; its own autosave is `obkm-topology.tab.<id>`.
const TAB_KEY: &str = "obkm-topology.tab";
/// The list of tab slots, newest last (at most `MAX_TAB_SLOTS`).
const TABS_KEY: &str = "obkm-topology.tabs";
const MAX_TAB_SLOTS: usize = 8;
/// Where an autosave that could not be read is kept, so that nothing is lost.
pub const UNREADABLE_KEY: &str = "obkm-topology.design.unreadable";
/// The theme preference.
pub const THEME_KEY: &str = "obkm-topology.theme";

fn storage() -> Option<web_sys::Storage> {
    gloo_utils::window().local_storage().ok().flatten()
}

/// Reads a local-storage entry.
pub fn get_item(key: &str) -> Option<String> {
    storage()?.get_item(key).ok().flatten()
}

/// Writes a local-storage entry, or says in a sentence why the browser refused.
pub fn set_item(key: &str, value: &str) -> Result<(), String> {
    let Some(s) = storage() else { return Err("this browser keeps no local storage for this page".into()) };
    s.set_item(key, value).map_err(|e| {
        let name = e.dyn_ref::<js_sys::Error>().map(|e| String::from(e.name())).unwrap_or_default();
        if name == "QuotaExceededError" || name.contains("Quota") {
            "the browser's storage for this page is full".to_string()
        } else {
            "the browser refused to store it (storage may be disabled)".to_string()
        }
    })
}

fn session() -> Option<web_sys::Storage> {
    gloo_utils::window().session_storage().ok().flatten()
}

/// This tab's id (kept across reloads of the tab, new for a new tab).
fn tab_id() -> String {
    let existing = session().and_then(|s| s.get_item(TAB_KEY).ok().flatten());
    existing.unwrap_or_else(|| {
        let id = format!("{:x}{:x}", js_sys::Date::now() as u64, (js_sys::Math::random() * 1e9) as u64);
        if let Some(s) = session() {
            let _ = s.set_item(TAB_KEY, &id);
        }
        id
    })
}

fn tab_slot() -> String {
    format!("obkm-topology.tab.{}", tab_id())
}

/// Saves the design to this tab's slot and as the latest design. Each tab keeps its own slot,
/// so two tabs never overwrite each other's work; the latest write wins only for what a new tab
/// opens. The error says what was and was not kept.
pub fn autosave(design: &Design) -> Result<(), String> {
    let text = save(design);
    let slot = tab_slot();
    if let Err(why) = set_item(&slot, &text) {
        return Err(format!(
            "Your latest change is not kept in this browser: {why}. The design is still open in this tab; save it to a file (Save) before you close or reload the tab."
        ));
    }
    if let Err(why) = set_item(AUTOSAVE_KEY, &text) {
        return Err(format!(
            "This tab keeps your design, but a new tab would not open it: {why}. Save it to a file to be safe."
        ));
    }
    // Remember the slot, newest last; forget the oldest beyond the cap.
    let mut tabs: Vec<String> = get_item(TABS_KEY).and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    if tabs.last() != Some(&slot) {
        tabs.retain(|t| t != &slot);
        tabs.push(slot);
        while tabs.len() > MAX_TAB_SLOTS {
            let old = tabs.remove(0);
            if let Some(s) = storage() {
                let _ = s.remove_item(&old);
            }
        }
        // The list only decides which old slots are forgotten: not keeping it loses nothing.
        let _ = set_item(TABS_KEY, &serde_json::to_string(&tabs).unwrap_or_default());
    }
    Ok(())
}

/// The design to start with: this tab's own autosave (after a reload), else the latest one,
/// or `None` on a first visit. An autosave that cannot be read is kept under another key and
/// reported.
pub fn restore() -> Result<Option<Design>, String> {
    let Some(text) = get_item(&tab_slot()).or_else(|| get_item(AUTOSAVE_KEY)) else { return Ok(None) };
    match load(&text) {
        Ok(d) => Ok(Some(d)),
        Err(e) => Err(match set_item(UNREADABLE_KEY, &text) {
            Ok(()) => format!(
                "The autosaved design could not be read ({e}); it is kept in local storage under {UNREADABLE_KEY}."
            ),
            Err(why) => format!(
                "The autosaved design could not be read ({e}), and it could not be set aside ({why}): it stays under {AUTOSAVE_KEY} until this tab saves over it."
            ),
        }),
    }
}

/// Keeps a design that an opened link or file replaces, so it can be restored; the error
/// says why it could not be kept.
pub fn keep_previous(design: &Design) -> Result<(), String> {
    set_item(PREVIOUS_KEY, &save(design))
}

/// The kept previous design, if any (an unreadable one counts as none).
pub fn previous() -> Option<Design> {
    get_item(PREVIOUS_KEY).and_then(|t| load(&t).ok())
}

/// The current location's fragment, with the leading `#`.
pub fn location_hash() -> String {
    gloo_utils::window().location().hash().unwrap_or_default()
}

/// The app's URL without its fragment.
pub fn base_url() -> String {
    gloo_utils::window().location().href().map(|h| h.split('#').next().unwrap_or("").to_string()).unwrap_or_default()
}

/// Removes the fragment from the address bar without reloading (a consumed share link).
pub fn clear_hash() {
    if let Ok(history) = gloo_utils::window().history() {
        let _ = history.replace_state_with_url(&JsValue::NULL, "", Some(&base_url()));
    }
}

/// Copies text to the clipboard when the browser allows it (the URL is shown anyway, so a
/// refusal costs nothing).
pub fn copy_to_clipboard(text: &str) {
    let promise = gloo_utils::window().navigator().clipboard().write_text(text);
    wasm_bindgen_futures::spawn_local(async move {
        let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
    });
}

/// Offers text as a file download.
pub fn download(filename: &str, mime: &str, text: &str) -> Result<(), String> {
    download_bytes(filename, mime, text.as_bytes())
}

/// Offers bytes as a file download.
pub fn download_bytes(filename: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    click_download(&gloo_file::Blob::new_with_options(bytes, Some(mime)), filename)
}

/// Downloads a blob under a file name, through an object URL (revoked when it drops) and a
/// temporary link.
fn click_download(blob: &gloo_file::Blob, filename: &str) -> Result<(), String> {
    let url = gloo_file::ObjectUrl::from(blob.clone());
    let a: web_sys::HtmlAnchorElement = gloo_utils::document()
        .create_element("a")
        .map_err(|_| "the browser refused to start the download".to_string())?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(filename);
    a.click();
    Ok(())
}

/// Renders an SVG document to a PNG (twice its size, for sharp slides) and downloads it.
pub fn download_svg_as_png(svg: &str, filename: &str, on_error: impl Fn(String) + 'static) {
    let on_error = std::rc::Rc::new(on_error);
    let on_load_error = on_error.clone();
    let result = (|| -> Result<(), String> {
        let fail = |_: JsValue| "the browser refused to render the diagram".to_string();
        let source = gloo_file::ObjectUrl::from(gloo_file::Blob::new_with_options(svg, Some("image/svg+xml")));
        let img = web_sys::HtmlImageElement::new().map_err(fail)?;
        let canvas: web_sys::HtmlCanvasElement =
            gloo_utils::document().create_element("canvas").map_err(fail)?.unchecked_into();
        let name = filename.to_string();
        let img2 = img.clone();
        let src = source.to_string();
        // The image keeps the SVG's object URL until it has loaded; then it is revoked (dropped).
        let onload = Closure::once_into_js(move || {
            let (w, h) = (img2.natural_width().max(1) * 2, img2.natural_height().max(1) * 2);
            canvas.set_width(w);
            canvas.set_height(h);
            if let Some(ctx) = canvas
                .get_context("2d")
                .ok()
                .flatten()
                .and_then(|c| c.dyn_into::<web_sys::CanvasRenderingContext2d>().ok())
            {
                let _ =
                    ctx.draw_image_with_html_image_element_and_dw_and_dh(&img2, 0.0, 0.0, f64::from(w), f64::from(h));
            }
            drop(source);
            let done = Closure::once_into_js(move |blob: JsValue| {
                if let Ok(blob) = blob.dyn_into::<web_sys::Blob>() {
                    let _ = click_download(&gloo_file::Blob::from(blob), &name);
                }
            });
            let _ = canvas.to_blob(done.unchecked_ref());
        });
        img.set_onload(Some(onload.unchecked_ref()));
        let err = Closure::once_into_js(move || on_load_error("The diagram could not be rendered as PNG.".into()));
        img.set_onerror(Some(err.unchecked_ref()));
        img.set_src(&src);
        Ok(())
    })();
    if let Err(e) = result {
        on_error(format!("The diagram could not be exported as PNG: {e}."));
    }
}

/// Reads the first file chosen in a file input, as text.
pub async fn read_chosen_file(input: &web_sys::HtmlInputElement) -> Option<(String, Result<String, String>)> {
    let file = input.files()?.get(0)?;
    let name = file.name();
    let text = wasm_bindgen_futures::JsFuture::from(file.text())
        .await
        .map_err(|_| "the browser could not read the file".to_string())
        .and_then(|v| v.as_string().ok_or_else(|| "the file is not text".to_string()));
    Some((name, text))
}

/// Installs `window.obkmTopology` with `design()`, returning the current design as its
/// canonical JSON text, and `findings()`, the checker's JSON output for it.
pub fn install_api(design: impl Fn() -> String + Clone + 'static, exporter: super::exporter::Exporter) {
    let window = gloo_utils::window();
    let api = js_sys::Object::new();
    let saved = design.clone();
    let design = Closure::<dyn Fn() -> String>::new(design);
    let _ = js_sys::Reflect::set(&api, &"design".into(), design.as_ref());
    design.forget();
    // The findings JSON comes from the export worker (a promise): the command line's bytes.
    let findings = Closure::<dyn Fn() -> js_sys::Promise>::new(move || {
        let job = super::exporter::job("findings", saved(), today(), serde_json::Value::Null);
        js_sys::Promise::new(&mut |resolve, reject| {
            exporter.run(job.clone(), move |done| match done {
                Ok(d) => {
                    let _ = resolve.call1(&JsValue::NULL, &String::from_utf8_lossy(&d.bytes).into_owned().into());
                }
                Err(e) => {
                    let _ = reject.call1(&JsValue::NULL, &e.into());
                }
            });
        })
    });
    let _ = js_sys::Reflect::set(&api, &"findings".into(), findings.as_ref());
    findings.forget();
    let measure = Closure::<dyn Fn(String, JsValue) -> js_sys::Promise>::new(move |text: String, bundle: JsValue| {
        measure(exporter, text, bundle.is_truthy())
    });
    let _ = js_sys::Reflect::set(&api, &"measure".into(), measure.as_ref());
    measure.forget();
    let _ = js_sys::Reflect::set(&window, &"obkmTopology".into(), &api);
}

/// Decodes a share link in the browser: as `share::decode`, but inflated by the browser's own
/// `DecompressionStream` (the page carries no inflate code), read chunk by chunk and stopped as
/// soon as it passes `share::MAX_INFLATED`.
pub async fn decode_link(link: &str) -> Result<Design, share::ShareError> {
    let packed = share::unpack(link)?;
    let payload = inflate(&packed.compressed).await?;
    share::finish(&payload, packed.crc, packed.version)
}

// The browser's `DecompressionStream` (web-sys has it only behind its unstable-API flag).
#[wasm_bindgen]
extern "C" {
    type DecompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<DecompressionStream, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &DecompressionStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &DecompressionStream) -> web_sys::WritableStream;
}

async fn inflate(compressed: &[u8]) -> Result<Vec<u8>, share::ShareError> {
    use wasm_bindgen_futures::JsFuture;
    let bad = |_| share::ShareError::BadCompression;
    let inflater = DecompressionStream::new("deflate-raw").map_err(bad)?;
    // The bytes are written straight into the stream (a `Blob`'s stream is read through the
    // browser's blob store: 5 to 25 ms more before a link's design can be drawn).
    let writer = inflater.writable().get_writer().map_err(bad)?;
    let written = JsFuture::from(writer.write_with_chunk(&js_sys::Uint8Array::from(compressed)));
    let closed = JsFuture::from(writer.close());
    // A corrupt or refused input rejects these too: they are awaited apart (their handlers stay
    // until they settle), and the reader reports the failure.
    wasm_bindgen_futures::spawn_local(async move {
        let _ = written.await;
        let _ = closed.await;
    });
    let reader: web_sys::ReadableStreamDefaultReader = inflater.readable().get_reader().unchecked_into();
    let mut out = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(bad)?;
        let done = js_sys::Reflect::get(&chunk, &"done".into()).map_err(bad)?;
        if done.is_truthy() {
            return Ok(out);
        }
        let value: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into()).map_err(bad)?.unchecked_into();
        if out.len() + value.length() as usize > share::MAX_INFLATED {
            let _ = reader.cancel();
            return Err(share::ShareError::TooLarge);
        }
        let at = out.len();
        out.resize(at + value.length() as usize, 0);
        value.copy_to(&mut out[at..]);
    }
}

/// Runs `f` once the browser is idle, and within a second at the latest.
pub fn when_idle(f: impl FnOnce() + 'static) {
    let cb = Closure::once_into_js(f);
    let opts = web_sys::IdleRequestOptions::new();
    opts.set_timeout(1000);
    let window = gloo_utils::window();
    if window.request_idle_callback_with_options(cb.unchecked_ref(), &opts).is_err() {
        let _ = window.set_timeout_with_callback(cb.unchecked_ref());
    }
}

/// Calls `f` whenever the page becomes hidden (another tab, a closed window, a phone's home
/// screen), until the returned guard is dropped.
pub fn on_hidden(f: impl Fn() + 'static) -> Listener {
    let document = gloo_utils::document();
    let doc = document.clone();
    let closure = Closure::<dyn Fn()>::new(move || {
        if doc.hidden() {
            f();
        }
    });
    let _ = document.add_event_listener_with_callback("visibilitychange", closure.as_ref().unchecked_ref());
    Listener { target: document.into(), event: "visibilitychange", closure }
}

/// An event listener that is removed when dropped.
pub struct Listener {
    target: web_sys::EventTarget,
    event: &'static str,
    closure: Closure<dyn Fn()>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback(self.event, self.closure.as_ref().unchecked_ref());
    }
}

/// Marks a moment of the start-up in the page's performance timeline (`obkm:start`,
/// `obkm:link-decoded`, `obkm:drawn`), for `make bench` and the browser's profiler.
pub fn mark(name: &str) {
    if let Some(p) = gloo_utils::window().performance() {
        let _ = p.mark(name);
    }
}

fn now_ms() -> f64 {
    gloo_utils::window().performance().map(|p| p.now()).unwrap_or_else(js_sys::Date::now)
}

/// A diagnostic for benchmarks and power users: loads a design given as JSON (without
/// touching the current one) and resolves, as JSON, to how long the checker takes on the page
/// (median of 15 runs) and, when `bundle` is true, the bundle export in the export worker (the
/// first one, then the median of three), in milliseconds.
fn measure(exporter: super::exporter::Exporter, design_json: String, bundle: bool) -> js_sys::Promise {
    js_sys::Promise::new(&mut |resolve, _reject| {
        let design = match load(&design_json) {
            Ok(d) => d,
            Err(e) => {
                let _ =
                    resolve.call1(&JsValue::NULL, &serde_json::json!({ "error": e.to_string() }).to_string().into());
                return;
            }
        };
        let today = today();
        let mut checks = Vec::new();
        for _ in 0..15 {
            let t = now_ms();
            let report = crate::rules::check(&design, today);
            checks.push(now_ms() - t);
            std::hint::black_box(report);
        }
        crate::model::order::sort_by(&mut checks, f64::total_cmp);
        let check_ms = checks[checks.len() / 2];
        let nodes = design.nodes.len();
        if !bundle {
            let out = serde_json::json!({ "nodes": nodes, "check_ms_median": check_ms });
            let _ = resolve.call1(&JsValue::NULL, &out.to_string().into());
            return;
        }
        let job = super::exporter::job("measure", design_json.clone(), today, serde_json::Value::Null);
        exporter.run(job, move |done| {
            let out = match done {
                Ok(d) => serde_json::json!({
                    "nodes": nodes,
                    "check_ms_median": check_ms,
                    "bundle_ms": d.meta["bundle_ms"],
                    "bundle_first_ms": d.meta["bundle_first_ms"],
                    "bundle_bytes": d.meta["bundle_bytes"],
                }),
                Err(e) => serde_json::json!({ "error": e }),
            };
            let _ = resolve.call1(&JsValue::NULL, &out.to_string().into());
        });
    })
}

/// Sets the theme on the document element.
pub fn apply_theme(dark: bool) {
    let _ = gloo_utils::document_element().set_attribute("data-theme", if dark { "dark" } else { "light" });
}
