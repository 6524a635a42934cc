//! The command-line tool's argument handling and commands. It uses only the core, writes to
//! the given streams and returns the exit status: 0 success, 1 findings with errors, 2 the
//! input could not be loaded or the arguments are wrong.

use std::io::Write;

use crate::model::templates;

const USAGE: &str = "usage:
  obkm-topology template ha|ha-two-zones|broken     prints a template design
  obkm-topology --help | --version";

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
        "template" => template(&rest, out),
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

fn template(args: &[String], out: &mut dyn Write) -> Result<i32, String> {
    let [name] = args else {
        return Err(format!("template takes one name: {}", templates::NAMES.join(", ")));
    };
    let design = templates::design(name)
        .ok_or_else(|| format!("no template {name:?}; the templates are {}", templates::NAMES.join(", ")))?
        .map_err(|e| format!("template {name}: {e}"))?;
    out.write_all(crate::model::save(&design).as_bytes()).map_err(|e| e.to_string())?;
    Ok(0)
}
