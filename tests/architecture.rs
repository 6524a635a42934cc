//! Architecture invariant: the core (model, rules, export, import, share, diff) never imports the UI layer
//! or browser bindings, so it runs natively and in the command-line tool.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn core_does_not_import_the_ui() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for core in ["model", "rules", "export", "import", "share", "diff"] {
        rust_files(&root.join(core), &mut files);
    }
    assert!(!files.is_empty());
    let forbidden = ["leptos", "web_sys", "wasm_bindgen", "js_sys", "gloo", "crate::ui", "super::ui"];
    let mut bad = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if forbidden.iter().any(|w| code.contains(&format!("{w}::")) || code.contains(&format!("use {w}"))) {
                bad.push(format!("{}:{}: {}", f.display(), i + 1, line.trim()));
            }
        }
    }
    assert!(bad.is_empty(), "the core imports the UI layer:\n{}", bad.join("\n"));
}
