//! The design: its types, the node-kind schema, the v1 file format, the commands that edit
//! it (each with its inverse) and the templates. Pure Rust: no UI, no browser.

pub mod address;
pub mod clipboard;
pub mod command;
pub mod date;
pub mod design;
pub mod fields;
pub mod format;
pub mod geometry;
pub mod hash;
pub mod labels;
pub mod layout;
pub mod number;
pub mod order;
pub mod route;
pub mod schema;
pub mod search;
pub mod templates;
pub mod zones;

pub use command::{apply, link_allowed, link_refusal, Command, CommandError, History};
pub use date::Date;
pub use design::{Cluster, Design, Link, Node, NodeId, PropValue, Waiver};
pub use format::{load, load_any, save, LoadError};
pub use schema::{MembershipScheme, NodeKind, Product, PropSpec, PropType};
