//! The workers' side (wasm32 only), for two modules built by trunk as web workers from the same
//! crate: the export worker (`src/worker.rs`, `start`) and the import worker
//! (`src/importer.rs`, `start_imports`), each linking only its own jobs' code. A worker answers
//! each job the page posts (`{id, job}`, `export::job`) with `{id, ok, name, mime, meta, bytes}`
//! (the bytes transferred, not copied) or `{id, ok: false, error}`, and says `{ready: true}` once
//! loaded. It links no UI code.
//!
//! An import job carries the user's files beside it, as the browser's `File` objects (`zip`:
//! one archive; `files` with `paths`: a folder's files), read here with `FileReaderSync`: the
//! page never reads them, so a large folder costs its main thread nothing.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

fn set(o: &js_sys::Object, k: &str, v: &JsValue) {
    let _ = js_sys::Reflect::set(o, &k.into(), v);
}

fn now_ms() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"performance".into())
        .ok()
        .and_then(|p| {
            let now = js_sys::Reflect::get(&p, &"now".into()).ok()?.dyn_into::<js_sys::Function>().ok()?;
            now.call0(&p).ok()?.as_f64()
        })
        .unwrap_or_else(js_sys::Date::now)
}

/// The export worker: installs its message handler and says it is ready.
pub fn start() {
    serve(|job, _| crate::export::job::run(job, &now_ms));
}

/// The import worker: installs its message handler and says it is ready.
pub fn start_imports() {
    serve(|job, data| {
        let get = |k: &str| js_sys::Reflect::get(data, &k.into()).unwrap_or(JsValue::UNDEFINED);
        import_input(&get("zip"), &get("files"), &get("paths")).and_then(|input| crate::export::job::import(job, input))
    });
}

/// Answers every message with `handle(job, message)`.
fn serve(handle: fn(&str, &JsValue) -> Result<crate::export::job::Done, String>) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let data = ev.data();
        let id = js_sys::Reflect::get(&data, &"id".into()).unwrap_or(JsValue::NULL);
        let job = js_sys::Reflect::get(&data, &"job".into()).ok().and_then(|j| j.as_string()).unwrap_or_default();
        let out = js_sys::Object::new();
        set(&out, "id", &id);
        match handle(&job, &data) {
            Ok(done) => {
                let bytes = js_sys::Uint8Array::from(done.bytes.as_slice());
                set(&out, "ok", &JsValue::TRUE);
                set(&out, "name", &done.name.into());
                set(&out, "mime", &done.mime.into());
                set(&out, "meta", &done.meta.to_string().into());
                set(&out, "bytes", &bytes);
                let transfer = js_sys::Array::of1(&bytes.buffer());
                let _ = reply.post_message_with_transfer(&out, &transfer);
            }
            Err(e) => {
                set(&out, "ok", &JsValue::FALSE);
                set(&out, "error", &e.into());
                let _ = reply.post_message(&out);
            }
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let ready = js_sys::Object::new();
    set(&ready, "ready", &JsValue::TRUE);
    let _ = scope.post_message(&ready);
}

/// Reads an import job's files: a zip archive's bytes, or a folder's files with their paths. The
/// page has checked the caps on the files' sizes; the import checks them again on what is read.
fn import_input(zip: &JsValue, files: &JsValue, paths: &JsValue) -> Result<crate::export::job::Input, String> {
    use crate::export::job::Input;
    let reader = web_sys::FileReaderSync::new().map_err(|_| "the worker cannot read files".to_string())?;
    use crate::import::input::{MAX_FILE, MAX_TOTAL};
    let read = |blob: &JsValue, cap: usize| -> Result<Vec<u8>, String> {
        let blob: &web_sys::Blob = blob.dyn_ref().ok_or_else(|| "an import file that is not a file".to_string())?;
        if blob.size() > cap as f64 {
            return Err(format!("larger than {} MiB", cap / (1024 * 1024)));
        }
        let buf = reader.read_as_array_buffer(blob).map_err(|_| "the browser could not read a file".to_string())?;
        Ok(js_sys::Uint8Array::new(&buf).to_vec())
    };
    if zip.is_truthy() {
        return read(zip, MAX_TOTAL).map(Input::Zip);
    }
    let files = js_sys::Array::from(files);
    let paths = js_sys::Array::from(paths);
    if files.length() != paths.length() {
        return Err("an import job whose files and paths do not match".into());
    }
    if files.length() as usize > crate::import::input::MAX_FILES {
        return Err(crate::import::InputError::TooManyFiles.to_string());
    }
    let mut out = Vec::with_capacity(files.length() as usize);
    for (file, path) in files.iter().zip(paths.iter()) {
        let path = path.as_string().unwrap_or_default();
        out.push(crate::import::File { bytes: read(&file, MAX_FILE).map_err(|e| format!("{path}: {e}"))?, path });
    }
    Ok(Input::Files(out))
}
