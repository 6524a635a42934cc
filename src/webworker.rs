//! The export worker's side (wasm32 only; the entry point is `src/worker.rs`, built by trunk as
//! a web worker). It answers each job the page posts (`{id, job}`, `export::job`) with
//! `{id, ok, name, mime, meta, bytes}` (the bytes transferred, not copied) or
//! `{id, ok: false, error}`, and says `{ready: true}` once loaded. It links no UI code.

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

/// Installs the message handler and says the worker is ready.
pub fn start() {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply = scope.clone();
    let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
        let data = ev.data();
        let id = js_sys::Reflect::get(&data, &"id".into()).unwrap_or(JsValue::NULL);
        let job = js_sys::Reflect::get(&data, &"job".into()).ok().and_then(|j| j.as_string()).unwrap_or_default();
        let out = js_sys::Object::new();
        set(&out, "id", &id);
        match crate::export::job::run(&job, &now_ms) {
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
