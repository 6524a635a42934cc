//! The command-line tool's argument handling and commands. It uses only the core, writes to
//! the given streams and returns the exit status: 0 success, 1 `check` found unwaived errors,
//! 2 the input could not be loaded or the arguments are wrong. It never panics on any input.

use std::io::{Read, Write};

use crate::export::{self, FirewallFormat};
use crate::model::format::MAX_DOCUMENT_BYTES;
use crate::model::{load_any, save, templates, Design};
use crate::rules::{check, output, Date};
use crate::share;

const USAGE: &str = "usage:
  obkm-topology check <design.json> [--format text|json|sarif] [--today YYYY-MM-DD]
                [--baseline findings.json|findings.sarif] [--no-waivers]
  obkm-topology bundle <design.json> --out <file.zip> [--today YYYY-MM-DD]
  obkm-topology firewall <design.json> --format csv|md|nft|iptables|terraform [--node <id>]
                [--since <old design or share link>] [--today YYYY-MM-DD]   --since: only what changed
  obkm-topology diff <old> <new> [--format text|json|md] [--ignore-layout] [--today YYYY-MM-DD]
                each side a design file or a share link: the review of a change
  obkm-topology diagram <design.json> [--out <file.svg>] [--today YYYY-MM-DD]   the diagram (SVG)
  obkm-topology import <folder-or-zip> [--out design.json] [--force] [--product ob-km-1.3|ob-km-1.4|ob-km-1.5|ob-iam-2.0]
                [--format text|json|sarif] [--today YYYY-MM-DD]   rebuilds the design from a deployment's files
  obkm-topology share <design.json> [--base-url URL]      prints the share URL
  obkm-topology open <share-url-or-fragment>              prints the design JSON
  obkm-topology template ha|ha-two-zones|broken
  obkm-topology --help | --version

exit status: 0 success, 1 check found unwaived errors, 2 bad arguments or unreadable design";

/// Runs the tool with its arguments (without the program name); returns the exit status.
pub fn run(args: Vec<String>, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let mut args = args.into_iter();
    let Some(command) = args.next() else {
        let _ = writeln!(err, "{USAGE}");
        return 2;
    };
    let rest: Vec<String> = args.collect();
    let result = match command.as_str() {
        "-h" | "--help" | "help" => {
            let _ = writeln!(out, "{USAGE}");
            return 0;
        }
        "-V" | "--version" => {
            let _ = writeln!(out, "obkm-topology {}", env!("CARGO_PKG_VERSION"));
            return 0;
        }
        "check" => {
            let no_waivers = rest.iter().any(|a| a == "--no-waivers");
            let rest: Vec<String> = rest.iter().filter(|a| *a != "--no-waivers").cloned().collect();
            Args::parse(&rest, &["format", "today", "baseline"]).and_then(|a| cmd_check(&a, no_waivers, out))
        }
        "bundle" => Args::parse(&rest, &["out", "today"]).and_then(|a| cmd_bundle(&a, out)),
        "firewall" => Args::parse(&rest, &["format", "node", "since", "today"]).and_then(|a| cmd_firewall(&a, out)),
        "diff" => {
            let ignore_layout = rest.iter().any(|a| a == "--ignore-layout");
            let rest: Vec<String> = rest.iter().filter(|a| *a != "--ignore-layout").cloned().collect();
            Args::parse(&rest, &["format", "today"]).and_then(|a| cmd_diff(&a, ignore_layout, out))
        }
        "diagram" => Args::parse(&rest, &["out", "today"]).and_then(|a| cmd_diagram(&a, out)),
        "import" => {
            let force = rest.iter().any(|a| a == "--force");
            let rest: Vec<String> = rest.iter().filter(|a| *a != "--force").cloned().collect();
            Args::parse(&rest, &["out", "product", "format", "today"]).and_then(|a| cmd_import(&a, force, out))
        }
        "share" => Args::parse(&rest, &["base-url"]).and_then(|a| cmd_share(&a, out, err)),
        "open" => Args::parse(&rest, &[]).and_then(|a| cmd_open(&a, out)),
        "template" => Args::parse(&rest, &[]).and_then(|a| cmd_template(&a, out)),
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    };
    match result {
        Ok(status) => status,
        Err(message) => {
            let _ = writeln!(err, "obkm-topology: {message}");
            2
        }
    }
}

/// Positional arguments and `--name value` options.
struct Args {
    positional: Vec<String>,
    options: Vec<(String, String)>,
}

impl Args {
    fn parse(args: &[String], allowed: &[&str]) -> Result<Args, String> {
        let mut positional = Vec::new();
        let mut options = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(name) = a.strip_prefix("--") {
                let (name, value) = match name.split_once('=') {
                    Some((n, v)) => (n.to_string(), v.to_string()),
                    None => (name.to_string(), it.next().cloned().ok_or_else(|| format!("--{name} needs a value"))?),
                };
                if !allowed.contains(&name.as_str()) {
                    return Err(format!("unknown option --{name}\n{USAGE}"));
                }
                if options.iter().any(|(n, _)| n == &name) {
                    return Err(format!("--{name} given twice"));
                }
                options.push((name, value));
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Args { positional, options })
    }

    fn option(&self, name: &str) -> Option<&str> {
        self.options.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn one(&self, what: &str) -> Result<&str, String> {
        match self.positional.as_slice() {
            [one] => Ok(one),
            [] => Err(format!("missing {what}\n{USAGE}")),
            _ => Err(format!("expected one {what}, got {}\n{USAGE}", self.positional.len())),
        }
    }

    fn today(&self) -> Result<Date, String> {
        match self.option("today") {
            Some(s) => Date::parse(s).ok_or_else(|| format!("--today expects a date YYYY-MM-DD, got {s:?}")),
            None => Ok(system_today()),
        }
    }
}

/// Today in UTC from the system clock.
pub fn system_today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    Date::from_unix_days((secs / 86_400) as i64)
}

/// Reads and loads a design file (or a diagram exported by this tool); the error names the file
/// and the field.
pub fn read_design(path: &str) -> Result<Design, String> {
    let bytes = read_capped(path)?;
    let text = String::from_utf8(bytes).map_err(|e| format!("{path}: document: not UTF-8 text ({e})"))?;
    load_any(&text).map_err(|e| format!("{path}: {e}"))
}

/// A document's bytes, read no further than the largest document accepted.
fn read_capped(path: &str) -> Result<Vec<u8>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let mut bytes = Vec::new();
    file.take(MAX_DOCUMENT_BYTES as u64 + 1).read_to_end(&mut bytes).map_err(|e| format!("cannot read {path}: {e}"))?;
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(format!("{path}: document: too large (more than {} MiB)", MAX_DOCUMENT_BYTES / (1024 * 1024)));
    }
    Ok(bytes)
}

fn cmd_check(a: &Args, no_waivers: bool, out: &mut dyn Write) -> Result<i32, String> {
    let path = a.one("design file")?;
    let format = a.option("format").unwrap_or("text");
    if !["text", "json", "sarif"].contains(&format) {
        return Err(format!("--format is text, json or sarif, not {format:?}"));
    }
    let today = a.today()?;
    let known = a.option("baseline").map(read_baseline).transpose()?;
    let mut design = read_design(path)?;
    if no_waivers {
        // A pipeline that must not let a design waive its own findings.
        design.waivers.clear();
    }
    let mut report = check(&design, today);
    let left_out = known.map(|known| report.without_known(&|f| known.contains(f)));
    let mut text = match format {
        "json" => output::to_json(&report),
        "sarif" => output::to_sarif(&report, &design, path),
        _ => output::to_text(&report),
    };
    if let (Some(n), "text") = (left_out, format) {
        text.push_str(&format!("baseline: {n} known finding(s) left out\n"));
    }
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(if report.has_errors() { 1 } else { 0 })
}

/// The fingerprints of a baseline: the JSON of `check --format json` (`findings[].fingerprint`)
/// or its SARIF (`runs[].results[].partialFingerprints["obkmFinding/v1"]`).
fn read_baseline(path: &str) -> Result<std::collections::HashSet<String>, String> {
    let bytes = read_capped(path)?;
    let doc: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("{path}: not a findings document (JSON): {e}"))?;
    let mut known = std::collections::HashSet::new();
    let mut take = |at: String, v: Option<&serde_json::Value>| match v.and_then(|v| v.as_str()) {
        Some(f) => {
            known.insert(f.to_string());
            Ok(())
        }
        None => Err(format!(
            "{path}: {at}: no fingerprint (write the baseline with this release's check --format json or sarif)"
        )),
    };
    if let Some(findings) = doc.get("findings").and_then(|f| f.as_array()) {
        for (i, f) in findings.iter().enumerate() {
            take(format!("findings[{i}].fingerprint"), f.get("fingerprint"))?;
        }
    } else if let Some(runs) = doc.get("runs").and_then(|r| r.as_array()) {
        for (r, run) in runs.iter().enumerate() {
            for (i, res) in run.get("results").and_then(|r| r.as_array()).into_iter().flatten().enumerate() {
                let fp = res.get("partialFingerprints").and_then(|p| p.get(output::FINGERPRINT_KEY));
                take(format!("runs[{r}].results[{i}].partialFingerprints.{}", output::FINGERPRINT_KEY), fp)?;
            }
        }
    } else {
        return Err(format!(
            "{path}: not a findings document: expected the output of check --format json (\"findings\") or sarif (\"runs\")"
        ));
    }
    Ok(known)
}

fn cmd_bundle(a: &Args, out: &mut dyn Write) -> Result<i32, String> {
    let path = a.one("design file")?;
    let target = a.option("out").ok_or_else(|| format!("bundle needs --out <file.zip>\n{USAGE}"))?;
    let today = a.today()?;
    let design = read_design(path)?;
    let bytes = export::bundle(&design, today)?;
    std::fs::write(target, &bytes).map_err(|e| format!("cannot write {target}: {e}"))?;
    let _ = writeln!(out, "wrote {target} ({} bytes)", bytes.len());
    Ok(0)
}

fn cmd_diagram(a: &Args, out: &mut dyn Write) -> Result<i32, String> {
    let path = a.one("design file")?;
    let today = a.today()?;
    let design = read_design(path)?;
    let svg = export::diagram::svg(&design, &check(&design, today), today);
    match a.option("out") {
        Some(target) => {
            std::fs::write(target, &svg).map_err(|e| format!("cannot write {target}: {e}"))?;
            let _ = writeln!(out, "wrote {target} ({} bytes)", svg.len());
        }
        None => out.write_all(svg.as_bytes()).map_err(|e| e.to_string())?,
    }
    Ok(0)
}

/// The files of a folder (walked, within the import's caps) or a zip archive.
fn read_deployment(path: &str) -> Result<Vec<crate::import::File>, String> {
    use crate::import::input::{self, File, MAX_FILE, MAX_FILES, MAX_TOTAL};
    let p = std::path::Path::new(path);
    let meta = std::fs::metadata(p).map_err(|e| format!("cannot read {path}: {e}"))?;
    if meta.is_file() {
        if meta.len() > MAX_TOTAL as u64 {
            return Err(format!("{path}: larger than {} MiB", MAX_TOTAL / (1024 * 1024)));
        }
        let bytes = std::fs::read(p).map_err(|e| format!("cannot read {path}: {e}"))?;
        return input::from_zip(&bytes).map_err(|e| format!("{path}: {e}"));
    }
    let mut files = Vec::new();
    let mut total = 0u64;
    let mut stack = vec![p.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_symlink() {
                continue;
            }
            if ft.is_dir() {
                stack.push(e.path());
                continue;
            }
            if files.len() >= MAX_FILES {
                return Err(format!("{path}: more than {MAX_FILES} files: import one deployment at a time"));
            }
            let len = e.metadata().map(|m| m.len()).unwrap_or(0);
            if len > MAX_FILE as u64 {
                return Err(format!("{}: larger than {} MiB", e.path().display(), MAX_FILE / (1024 * 1024)));
            }
            total += len;
            if total > MAX_TOTAL as u64 {
                return Err(format!("{path}: the files add up to more than {} MiB", MAX_TOTAL / (1024 * 1024)));
            }
            let rel = e.path().strip_prefix(p).map(|r| r.to_string_lossy().replace('\\', "/")).unwrap_or_default();
            let bytes = std::fs::read(e.path()).map_err(|err| format!("cannot read {}: {err}", e.path().display()))?;
            files.push(File { path: rel, bytes });
        }
    }
    input::checked(files).map_err(|e| format!("{path}: {e}"))
}

fn cmd_import(a: &Args, force: bool, out: &mut dyn Write) -> Result<i32, String> {
    let path = a.one("folder or zip archive")?;
    let format = a.option("format").unwrap_or("text");
    if !["text", "json", "sarif"].contains(&format) {
        return Err(format!("--format is text, json or sarif, not {format:?}"));
    }
    let product = match a.option("product") {
        Some(p) => Some(crate::model::Product::parse(p).ok_or_else(|| format!("--product: unknown product {p:?}"))?),
        None => None,
    };
    let target = a.option("out").unwrap_or("imported.json");
    if !force && std::path::Path::new(target).exists() {
        return Err(format!("{target} exists: give --force to replace it, or --out another file"));
    }
    let today = a.today()?;
    let files = read_deployment(path)?;
    let imported = crate::import::import(files, product);
    let report = check(&imported.design, today);
    std::fs::write(target, save(&imported.design)).map_err(|e| format!("cannot write {target}: {e}"))?;
    let text = match format {
        "json" => crate::import::report::to_json(&imported, &report),
        "sarif" => crate::import::report::to_sarif(&imported, &report, target),
        _ => crate::import::report::to_text(&imported, &report),
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(if crate::import::report::has_errors(&imported, &report) { 1 } else { 0 })
}

fn cmd_firewall(a: &Args, out: &mut dyn Write) -> Result<i32, String> {
    let path = a.one("design file")?;
    let name = a.option("format").ok_or_else(|| "firewall needs --format csv|md|nft|iptables|terraform".to_string())?;
    let format = FirewallFormat::parse(name)
        .ok_or_else(|| format!("--format is csv, md, nft, iptables or terraform, not {name:?}"))?;
    let design = read_design(path)?;
    let text = match a.option("since") {
        Some(old) => crate::diff::delta::render(&read_side(old)?, &design, format, a.option("node"), a.today()?)?,
        None => export::firewall(&design, format, a.option("node"), a.today()?)?,
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(0)
}

/// A design given as a file, or as a share link (a URL with `#d=`, the fragment, or `d=…`).
fn read_side(arg: &str) -> Result<Design, String> {
    if !std::path::Path::new(arg).exists() && (arg.contains("#d=") || arg.starts_with("d=")) {
        return share::decode(arg).map_err(|e| format!("the share link: {e}"));
    }
    read_design(arg)
}

fn cmd_diff(a: &Args, ignore_layout: bool, out: &mut dyn Write) -> Result<i32, String> {
    let [old, new] = a.positional.as_slice() else {
        return Err(format!("diff needs two designs, the old one then the new one\n{USAGE}"));
    };
    let format = a.option("format").unwrap_or("text");
    if !["text", "json", "md"].contains(&format) {
        return Err(format!("--format is text, json or md, not {format:?}"));
    }
    let opts = crate::diff::Options { ignore_layout, today: a.today()? };
    let d = crate::diff::diff(&read_side(old)?, &read_side(new)?, opts);
    let text = match format {
        "json" => crate::diff::to_json(&d),
        "md" => crate::diff::to_markdown(&d),
        _ => crate::diff::to_text(&d),
    };
    out.write_all(text.as_bytes()).map_err(|e| e.to_string())?;
    Ok(0)
}

/// Where `share` points links by default: the app as `make serve` serves it.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080/";

fn cmd_share(a: &Args, out: &mut dyn Write, err: &mut dyn Write) -> Result<i32, String> {
    let path = a.one("design file")?;
    let base = a.option("base-url").unwrap_or(DEFAULT_BASE_URL);
    let design = read_design(path)?;
    let (url, enc) = share::url(base, &design);
    if let Some(why) = enc.too_large() {
        return Err(format!("{why}: share the file instead"));
    }
    if enc.dropped_unknown {
        let _ = writeln!(
            err,
            "obkm-topology: note: fields this release does not know were left out of the link (the file keeps them)"
        );
    }
    if enc.fragment.len() > share::LONG_LINK {
        let _ = writeln!(
            err,
            "obkm-topology: note: the link is {} characters long; consider sharing the file",
            enc.fragment.len()
        );
    }
    let _ = writeln!(out, "{url}");
    Ok(0)
}

fn cmd_open(a: &Args, out: &mut dyn Write) -> Result<i32, String> {
    let link = a.one("share URL or fragment")?;
    let design = share::decode(link).map_err(|e| e.to_string())?;
    out.write_all(save(&design).as_bytes()).map_err(|e| e.to_string())?;
    Ok(0)
}

fn cmd_template(a: &Args, out: &mut dyn Write) -> Result<i32, String> {
    let name = a.one("template name (ha, ha-two-zones or broken)")?;
    let design = templates::design(name)
        .ok_or_else(|| format!("no template {name:?}; the templates are {}", templates::NAMES.join(", ")))?
        .map_err(|e| format!("template {name}: {e}"))?;
    out.write_all(save(&design).as_bytes()).map_err(|e| e.to_string())?;
    Ok(0)
}
