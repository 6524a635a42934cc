//! The export worker seen from the page. The exports (bundle, zip, firewall formats, diagram,
//! share links) are a second wasm module run in a Web Worker (`src/worker.rs`,
//! `export::job`): the first load carries none of their code, and the page never waits on one.
//! The worker is started when the browser is idle after the first paint, or by the first
//! export; a job asked for before it is ready waits for it, and `pending` says so (the
//! toolbar shows a progress line).

use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::export::job::Done;

/// The workers' loaders (trunk's loader shims for `data-bin="obkm-topology-worker"` and
/// `"obkm-topology-importer"`), relative to the page so that the app may be served under any
/// path.
const LOADER: &str = "./obkm-topology-worker_loader.js";
const IMPORT_LOADER: &str = "./obkm-topology-importer_loader.js";

type Callback = Box<dyn FnOnce(Result<Done, String>)>;

#[derive(Default)]
struct Inner {
    worker: Option<web_sys::Worker>,
    ready: bool,
    next: u32,
    waiting: Vec<(u32, String, Option<js_sys::Object>)>,
    callbacks: HashMap<u32, Callback>,
}

/// The page's handle on the export worker.
#[derive(Clone, Copy)]
pub struct Exporter {
    inner: StoredValue<Inner, LocalStorage>,
    /// Jobs asked for and not answered yet.
    pub pending: RwSignal<usize>,
    /// True once the worker has loaded its module.
    pub ready: RwSignal<bool>,
    loader: &'static str,
    /// `export` or `import`, for the messages.
    what: &'static str,
}

impl Exporter {
    /// A handle on the export worker; nothing is loaded yet.
    pub fn new() -> Exporter {
        Exporter::of(LOADER, "export")
    }

    /// A handle on the import worker (its own module, loaded by the first import, so that the
    /// export worker carries none of the importer's code); nothing is loaded yet.
    pub fn importer() -> Exporter {
        Exporter::of(IMPORT_LOADER, "import")
    }

    fn of(loader: &'static str, what: &'static str) -> Exporter {
        Exporter {
            inner: StoredValue::new_local(Inner::default()),
            pending: RwSignal::new(0),
            ready: RwSignal::new(false),
            loader,
            what,
        }
    }

    /// Starts the worker unless it runs already.
    pub fn start(&self) {
        if self.inner.with_value(|i| i.worker.is_some()) {
            return;
        }
        let worker = match web_sys::Worker::new(self.loader) {
            Ok(w) => w,
            Err(e) => return self.fail_all(&format!("the {} worker could not start ({e:?})", self.what)),
        };
        let this = *self;
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            this.answer(&ev.data());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            ev.prevent_default();
            let why = ev
                .dyn_ref::<web_sys::ErrorEvent>()
                .map(|e| e.message())
                .filter(|m| !m.is_empty())
                .unwrap_or_else(|| "its files could not be loaded".into());
            if let Some(w) = this.inner.write_value().worker.take() {
                w.terminate();
            }
            this.fail_all(&format!("the {} worker failed: {why}", this.what));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        self.inner.update_value(|i| {
            i.worker = Some(worker);
            i.ready = false;
        });
    }

    /// Starts the worker when the browser is idle (after the first paint).
    pub fn start_when_idle(&self) {
        let this = *self;
        request_idle_callback(move || this.start());
    }

    /// Runs a job (see `export::job`); `done` gets its answer.
    pub fn run(&self, job: serde_json::Value, done: impl FnOnce(Result<Done, String>) + 'static) {
        self.run_with(job, None, done);
    }

    /// Runs a job whose message carries more than its JSON: `extra`'s keys are posted beside it
    /// (an import's `zip`, or `files` and `paths`: the browser's `File` objects, which the worker
    /// reads itself).
    pub fn run_with(
        &self,
        job: serde_json::Value,
        extra: Option<js_sys::Object>,
        done: impl FnOnce(Result<Done, String>) + 'static,
    ) {
        self.start();
        let text = job.to_string();
        let (id, post) = {
            let mut inner = self.inner.write_value();
            inner.next += 1;
            let id = inner.next;
            inner.callbacks.insert(id, Box::new(done));
            if inner.ready {
                (id, inner.worker.clone().map(|w| (w, extra)))
            } else {
                inner.waiting.push((id, text.clone(), extra));
                (id, None)
            }
        };
        self.pending.update(|n| *n += 1);
        if let Some((w, extra)) = post {
            post_job(&w, id, &text, extra.as_ref());
        }
    }

    fn answer(&self, data: &JsValue) {
        let get = |k: &str| js_sys::Reflect::get(data, &k.into()).unwrap_or(JsValue::UNDEFINED);
        if get("ready").is_truthy() {
            let (worker, waiting) = {
                let mut inner = self.inner.write_value();
                inner.ready = true;
                (inner.worker.clone(), std::mem::take(&mut inner.waiting))
            };
            self.ready.set(true);
            if let Some(w) = worker {
                for (id, text, extra) in waiting {
                    post_job(&w, id, &text, extra.as_ref());
                }
            }
            return;
        }
        let Some(id) = get("id").as_f64().map(|f| f as u32) else { return };
        let Some(callback) = self.inner.write_value().callbacks.remove(&id) else { return };
        let result = if get("ok").is_truthy() {
            let text = |k: &str| get(k).as_string().unwrap_or_default();
            let bytes = get("bytes").dyn_into::<js_sys::Uint8Array>().map(|b| b.to_vec()).unwrap_or_default();
            let meta = serde_json::from_str(&text("meta")).unwrap_or(serde_json::Value::Null);
            Ok(Done { name: text("name"), mime: text("mime"), bytes, meta })
        } else {
            Err(get("error").as_string().unwrap_or_else(|| "the export failed".into()))
        };
        self.pending.update(|n| *n = n.saturating_sub(1));
        callback(result);
    }

    fn fail_all(&self, why: &str) {
        let callbacks: Vec<Callback> = {
            let mut inner = self.inner.write_value();
            inner.waiting.clear();
            inner.ready = false;
            inner.callbacks.drain().map(|(_, c)| c).collect()
        };
        self.ready.set(false);
        self.pending.set(0);
        for c in callbacks {
            c(Err(why.to_string()));
        }
    }
}

impl Default for Exporter {
    fn default() -> Self {
        Exporter::new()
    }
}

/// A job for the worker (`export::job::Job`): its kind, the design as saved, the date, and the
/// kind's own fields (`extra`, an object, or null for none).
pub fn job(kind: &str, design: String, today: crate::model::Date, extra: serde_json::Value) -> serde_json::Value {
    let mut job = serde_json::json!({ "kind": kind, "design": design, "today": today.to_string() });
    if let (Some(o), serde_json::Value::Object(more)) = (job.as_object_mut(), extra) {
        o.extend(more);
    }
    job
}

fn post_job(worker: &web_sys::Worker, id: u32, text: &str, extra: Option<&js_sys::Object>) {
    let msg = match extra {
        Some(o) => o.clone(),
        None => js_sys::Object::new(),
    };
    let _ = js_sys::Reflect::set(&msg, &"id".into(), &JsValue::from(id));
    let _ = js_sys::Reflect::set(&msg, &"job".into(), &JsValue::from_str(text));
    let _ = worker.post_message(&msg);
}
