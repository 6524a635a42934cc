//! The exports as jobs: what the browser's export worker runs (a second wasm module, so that
//! the first load carries none of the export code), as plain functions of text in and bytes out.
//! The command line renders the same files through the same functions, so the browser and
//! the command line give the same bytes.
//!
//! A job is a JSON object: `{"kind": …, "design": "<design JSON>", "today": "YYYY-MM-DD", …}`.
//! Its answer is a file (`name`, `mime`, `bytes`) and, for some kinds, facts about it (`meta`).

use serde::Deserialize;
use serde_json::{json, Value};

use crate::model::design::slug;
use crate::model::{load, Date, Design};

use super::FirewallFormat;

/// A job as the browser posts it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    /// `bundle`, `firewall`, `diagram`, `share`, `diff`, `findings` or `measure`.
    pub kind: String,
    /// The design, as saved.
    pub design: String,
    /// The browser's date (bundle README, waiver expiry).
    pub today: String,
    /// `firewall`: `csv`, `md`, `terraform`, `nft` or `iptables`.
    #[serde(default)]
    pub format: Option<String>,
    /// `firewall`: the selected node, for one host's ruleset.
    #[serde(default)]
    pub node: Option<String>,
    /// `share`: the page's address without its fragment.
    #[serde(default)]
    pub base_url: Option<String>,
    /// `diff`, and `firewall` for the change request: the design compared with (the old one),
    /// as saved.
    #[serde(default)]
    pub since: Option<String>,
    /// `diff`: leave out nodes that only moved.
    #[serde(default)]
    pub ignore_layout: bool,
}

/// A job's answer.
#[derive(Debug, Default, PartialEq)]
pub struct Done {
    /// The file name to download as.
    pub name: String,
    /// Its media type.
    pub mime: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// What else the job found out (a share link, timings), as JSON.
    pub meta: Value,
}

/// Runs a job given as JSON; the error says what is wrong.
pub fn run(job: &str, now_ms: &dyn Fn() -> f64) -> Result<Done, String> {
    let job: Job = serde_json::from_str(job).map_err(|e| format!("a malformed export job: {e}"))?;
    let today = Date::parse(&job.today).ok_or_else(|| format!("a malformed date {:?}", job.today))?;
    let d = load(&job.design).map_err(|e| e.to_string())?;
    match job.kind.as_str() {
        "bundle" => Ok(Done {
            name: super::bundle_name(&d),
            mime: "application/zip".into(),
            bytes: super::bundle(&d, today)?,
            meta: Value::Null,
        }),
        "firewall" => {
            let format = job.format.as_deref().unwrap_or_default();
            let format =
                FirewallFormat::parse(format).ok_or_else(|| format!("an unknown firewall format {format:?}"))?;
            let (name, mime, bytes) = match &job.since {
                // The change request since the compared design (`firewall --since`).
                Some(old) => {
                    let old = load(old).map_err(|e| format!("the compared design: {e}"))?;
                    let text = crate::diff::delta::render(&old, &d, format, job.node.as_deref(), today)?;
                    let (ext, mime) = match format {
                        FirewallFormat::Csv => ("csv", "text/csv"),
                        FirewallFormat::Markdown => ("md", "text/markdown"),
                        FirewallFormat::Nft => ("nft", "text/plain"),
                        _ => ("rules", "text/plain"),
                    };
                    let who = job.node.as_deref().map(|n| format!("-{n}")).unwrap_or_default();
                    (format!("{}-firewall-changes{who}.{ext}", slug(&d.name)), mime, text.into_bytes())
                }
                None => firewall_download(&d, format, job.node.as_deref(), today)?,
            };
            Ok(Done { name, mime: mime.into(), bytes, meta: Value::Null })
        }
        "diff" => {
            let old = job.since.as_deref().ok_or("a diff job without the compared design")?;
            let old = load(old).map_err(|e| format!("the compared design: {e}"))?;
            let opts = crate::diff::Options { ignore_layout: job.ignore_layout, today };
            let diff = crate::diff::diff(&old, &d, opts);
            Ok(Done {
                name: format!("{}-changes.json", slug(&d.name)),
                mime: "application/json".into(),
                bytes: crate::diff::to_json(&diff).into_bytes(),
                meta: Value::Null,
            })
        }
        "findings" => {
            // The checker's JSON document (`check --format json`), fingerprints included: made
            // here so that the page carries neither the JSON writer nor SHA-256.
            let report = crate::rules::check(&d, today);
            Ok(Done {
                name: format!("{}-findings.json", slug(&d.name)),
                mime: "application/json".into(),
                bytes: crate::rules::output::to_json(&report).into_bytes(),
                meta: Value::Null,
            })
        }
        "diagram" => {
            let report = crate::rules::check(&d, today);
            let svg = super::diagram::svg(&d, &report, today);
            Ok(Done {
                name: format!("{}.svg", slug(&d.name)),
                mime: "image/svg+xml".into(),
                bytes: svg.into_bytes(),
                meta: Value::Null,
            })
        }
        "share" => {
            let (url, enc) = crate::share::url(job.base_url.as_deref().unwrap_or_default(), &d);
            let meta = json!({
                "url": url,
                "fragment_length": enc.fragment.len(),
                "too_large": enc.too_large(),
                "dropped_unknown": enc.dropped_unknown,
            });
            Ok(Done { name: String::new(), mime: "text/uri-list".into(), bytes: Vec::new(), meta })
        }
        "measure" => {
            // The first bundle (what the first export waits for, the module still cold), then
            // the median of three.
            let mut times = Vec::new();
            let mut bytes = 0;
            for _ in 0..4 {
                let t = now_ms();
                bytes = super::bundle(&d, today)?.len();
                times.push(now_ms() - t);
            }
            let first = times[0];
            times.sort_by(f64::total_cmp);
            let meta = json!({ "bundle_first_ms": first, "bundle_ms": times[2], "bundle_bytes": bytes, "nodes": d.nodes.len() });
            Ok(Done { name: String::new(), mime: String::new(), bytes: Vec::new(), meta })
        }
        other => Err(format!("an unknown export job {other:?}")),
    }
}

/// The file a firewall export downloads: one host's ruleset when a node is given (the same
/// bytes as `obkm-topology firewall --node`), else the whole matrix (rulesets of every host
/// zipped).
pub fn firewall_download(
    d: &Design,
    format: FirewallFormat,
    node: Option<&str>,
    today: Date,
) -> Result<(String, &'static str, Vec<u8>), String> {
    let base = slug(&d.name);
    let text = |node: Option<&str>| super::firewall(d, format, node, today);
    Ok(match format {
        FirewallFormat::Csv => (format!("{base}-flows.csv"), "text/csv", text(None)?.into_bytes()),
        FirewallFormat::Markdown => (format!("{base}-flows.md"), "text/markdown", text(None)?.into_bytes()),
        FirewallFormat::Terraform => (format!("{base}-security-groups.tf"), "text/plain", text(None)?.into_bytes()),
        FirewallFormat::Nft | FirewallFormat::Iptables => {
            let ext = if format == FirewallFormat::Nft { "nft" } else { "rules" };
            match node {
                Some(n) => (format!("{n}.{ext}"), "text/plain", text(Some(n))?.into_bytes()),
                None => {
                    let flows = super::flows::flows(d);
                    let mut entries = Vec::new();
                    for n in super::firewall::receiving_nodes(d, &flows) {
                        entries.push((format!("{n}.{ext}"), text(Some(&n))?.into_bytes()));
                    }
                    let kind = if format == FirewallFormat::Nft { "nftables" } else { "iptables" };
                    (format!("{base}-{kind}.zip"), "application/zip", super::zip(&entries)?)
                }
            }
        }
    })
}

/// What an import job reads: a zip archive, or the files of a folder with their paths.
#[derive(Debug)]
pub enum Input {
    /// A zip archive's bytes (read within the import's caps).
    Zip(Vec<u8>),
    /// A folder's files (checked against the same caps).
    Files(Vec<crate::import::File>),
}

/// An import job as the browser posts it (the files travel beside it, not in the JSON).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportJob {
    /// `import`.
    kind: String,
    /// The browser's date (the checker's waivers).
    today: String,
    /// The product the files are of (`ob-km-1.5` …); none: as the files say.
    #[serde(default)]
    product: Option<String>,
}

/// Runs an import job: the rebuilt design (`bytes`, as saved) and, in `meta`, the import report
/// (`text`, `json`: `import::report`), whether it has errors, and the counts the page shows.
/// The error says why the input as a whole cannot be read (not a zip, over the caps).
pub fn import(job: &str, input: Input) -> Result<Done, String> {
    let job: ImportJob = serde_json::from_str(job).map_err(|e| format!("a malformed import job: {e}"))?;
    if job.kind != "import" {
        return Err(format!("an unknown import job {:?}", job.kind));
    }
    let today = Date::parse(&job.today).ok_or_else(|| format!("a malformed date {:?}", job.today))?;
    let product = match job.product.as_deref().filter(|p| !p.is_empty()) {
        Some(p) => Some(crate::model::Product::parse(p).ok_or_else(|| format!("an unknown product {p:?}"))?),
        None => None,
    };
    let files = match input {
        Input::Zip(bytes) => crate::import::input::from_zip(&bytes),
        Input::Files(files) => crate::import::input::checked(files),
    }
    .map_err(|e| e.to_string())?;
    let imported = crate::import::import(files, product);
    let report = crate::rules::check(&imported.design, today);
    let json_report = crate::import::report::to_json(&imported, &report);
    let meta = json!({
        "text": crate::import::report::to_text(&imported, &report),
        "json": json_report,
        "errors": crate::import::report::has_errors(&imported, &report),
        "files_read": imported.read.len(),
        "nodes": imported.design.nodes.len(),
    });
    Ok(Done {
        name: format!("{}.json", slug(&imported.design.name)),
        mime: "application/json".into(),
        bytes: crate::model::save(&imported.design).into_bytes(),
        meta,
    })
}
