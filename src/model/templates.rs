//! The starting designs offered in the toolbar and by `obkm-topology template`: the
//! documented two-node HA pattern, a four-node two-zone pattern, and the deliberately broken
//! single-node design of the shared fixtures.

use super::design::Design;
use super::format::{load, LoadError};

/// A template's name as the command line takes it.
pub const NAMES: [&str; 3] = ["ha", "ha-two-zones", "broken"];

const HA: &str = include_str!("templates/ha.json");
const HA_TWO_ZONES: &str = include_str!("templates/ha-two-zones.json");
const BROKEN: &str = include_str!("../../tests/fixtures/broken-single-node.json");

/// The document text of a template, by name.
pub fn text(name: &str) -> Option<&'static str> {
    match name {
        "ha" => Some(HA),
        "ha-two-zones" => Some(HA_TWO_ZONES),
        "broken" => Some(BROKEN),
        _ => None,
    }
}

/// A template as a design. Templates are checked in by tests, so loading cannot fail in
/// practice; the error is passed on rather than hidden.
pub fn design(name: &str) -> Option<Result<Design, LoadError>> {
    text(name).map(load)
}
