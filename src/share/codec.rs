//! The version 1 payload of a share link: a byte layout that knows the design format.
//!
//! ```text
//! design  := name:str product:u8 domain:opt scheme:u8 n:uv node*n m:uv link*m w:uv waiver*w
//! node    := kind:u8 id label:opt x:iv y:iv zone:str set:uv dflt:uv value*   (one per set, non-default prop)
//! id      := uv n (the id is <kind prefix>-n) | 0 str
//! link    := from:uv to:uv                                           (node indices)
//! waiver  := rule:str node:opt reason:opt expires:uv (0: none, else a day number + 1)
//! value   := str | ip (4 + 4 bytes | 6 + 16 bytes | 0 str) | number (uv 2k: whole k zigzag | 1 f64)
//!            | integer:iv | bool:u8 | enum index:u8 | set: uv count, index:u8 each
//! str     := uv length, UTF-8 bytes;  opt := uv 0 (none / default) | uv length+1, bytes
//! uv      := LEB128;  iv := zigzag LEB128
//! ```
//! `set` and `dflt` are bit masks over the kind's properties in schema order: which are set,
//! and which of those equal their default (so they cost no bytes).
//!
//! Version 2 is version 1 followed by an extension block for the fields added later:
//!
//! ```text
//! ext     := notes:opt owner:opt k:uv (node:uv notes:str)*k
//! ```
//! A design that sets none of them is written as version 1, byte for byte as before, so that
//! every link made before version 2 existed, and every link of such a design, stays the same.

use std::net::{Ipv4Addr, Ipv6Addr};

use serde_json::{Map, Number, Value};

use crate::model::design::{Cluster, DEFAULT_DOMAIN};
use crate::model::format::{canonical_number, MAX_LINKS, MAX_NODES};
use crate::model::{Date, Design, Link, MembershipScheme, Node, NodeId, NodeKind, Product, PropType, Waiver};

struct W(Vec<u8>);

impl W {
    fn u(&mut self, mut v: u64) {
        loop {
            let b = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                self.0.push(b);
                return;
            }
            self.0.push(b | 0x80);
        }
    }
    fn i(&mut self, v: i64) {
        self.u(((v << 1) ^ (v >> 63)) as u64);
    }
    fn s(&mut self, s: &str) {
        self.u(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt(&mut self, s: Option<&str>) {
        match s {
            None => self.u(0),
            Some(s) => {
                self.u(s.len() as u64 + 1);
                self.0.extend_from_slice(s.as_bytes());
            }
        }
    }
    fn byte(&mut self, b: u8) {
        self.0.push(b);
    }
}

fn whole(v: f64) -> i64 {
    if v.is_finite() {
        v.round().clamp(-9.0e15, 9.0e15) as i64
    } else {
        0
    }
}

fn index_of(all: &[&str], v: &str) -> u8 {
    all.iter().position(|x| *x == v).unwrap_or(0) as u8
}

fn day_number(date: &Date) -> u64 {
    (u64::from(date.year) * 12 + u64::from(date.month - 1)) * 31 + u64::from(date.day - 1) + 1
}

fn write_value(w: &mut W, ty: PropType, v: &Value) {
    match ty {
        PropType::Addresses => {
            // Version 2 only: a count, then each as an address (a CIDR block as text).
            let items = v.as_array().map(Vec::as_slice).unwrap_or(&[]);
            w.u(items.len() as u64);
            for item in items {
                write_value(w, PropType::Ip, item);
            }
        }
        PropType::Ip => {
            let s = v.as_str().unwrap_or("");
            if let Some(ip) = s.parse::<Ipv4Addr>().ok().filter(|ip| ip.to_string() == s) {
                w.byte(4);
                w.0.extend_from_slice(&ip.octets());
            } else if let Some(ip) = s.parse::<Ipv6Addr>().ok().filter(|ip| ip.to_string() == s) {
                w.byte(6);
                w.0.extend_from_slice(&ip.octets());
            } else {
                w.byte(0);
                w.s(s);
            }
        }
        PropType::Text | PropType::Host | PropType::HostOrIp | PropType::Cidr => w.s(v.as_str().unwrap_or("")),
        PropType::Number => {
            let f = v.as_f64().unwrap_or(0.0);
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                let k = f as i64;
                w.u((((k << 1) ^ (k >> 63)) as u64) << 1);
            } else {
                w.u(1);
                w.0.extend_from_slice(&f.to_le_bytes());
            }
        }
        PropType::Integer => w.i(v.as_i64().unwrap_or_else(|| v.as_f64().map(whole).unwrap_or(0))),
        PropType::Bool => w.byte(u8::from(v.as_bool().unwrap_or(false))),
        PropType::Enum(all) => w.byte(index_of(all, v.as_str().unwrap_or(""))),
        PropType::Set(all) => {
            let items = v.as_array().map(Vec::as_slice).unwrap_or(&[]);
            w.u(items.len() as u64);
            for item in items {
                w.byte(index_of(all, item.as_str().unwrap_or("")));
            }
        }
    }
}

/// How many of a kind's properties version 1 knows: the ones added later (`source_addresses`
/// on load balancers, `ip` on databases, directories and shared storage) come last in the
/// schema, so that a version 1 link keeps its layout.
pub fn v1_props(kind: NodeKind) -> usize {
    let all = kind.props().len();
    match kind {
        NodeKind::LoadBalancer | NodeKind::Database | NodeKind::Directory | NodeKind::SharedStorage => all - 1,
        _ => all,
    }
}

/// True when the design sets a field that version 1 has no room for.
fn needs_v2(d: &Design) -> bool {
    !d.notes.is_empty()
        || !d.owner.is_empty()
        || d.nodes.iter().any(|n| {
            !n.notes.is_empty() || n.kind.props()[v1_props(n.kind)..].iter().any(|s| n.props.contains_key(s.name))
        })
}

/// Writes a design; returns the bytes, whether unknown fields were left out, and the version
/// of the encoding written (1, or 2 when the design needs it).
pub fn write(d: &Design) -> (Vec<u8>, bool, u8) {
    let mut w = W(Vec::new());
    let mut dropped = !d.extra.is_empty() || !d.cluster.extra.is_empty();
    w.s(&d.name);
    w.byte(Product::ALL.iter().position(|p| *p == d.product).unwrap_or(0) as u8);
    w.opt((d.cluster.domain != DEFAULT_DOMAIN).then_some(d.cluster.domain.as_str()));
    w.byte(MembershipScheme::ALL.iter().position(|m| *m == d.cluster.membership_scheme).unwrap_or(0) as u8);
    w.u(d.nodes.len() as u64);
    for n in &d.nodes {
        dropped |= !n.extra.is_empty();
        w.byte(NodeKind::ALL.iter().position(|k| *k == n.kind).unwrap_or(0) as u8);
        let numbered =
            n.id.as_str()
                .strip_prefix(n.kind.id_prefix())
                .and_then(|r| r.strip_prefix('-'))
                .filter(|r| !r.starts_with('0'))
                .and_then(|r| r.parse::<u64>().ok())
                .filter(|k| format!("{}-{k}", n.kind.id_prefix()) == n.id.as_str());
        match numbered {
            Some(k) => w.u(k),
            None => {
                w.u(0);
                w.s(n.id.as_str());
            }
        }
        w.opt((n.label != n.id.as_str()).then_some(n.label.as_str()));
        w.i(whole(n.x));
        w.i(whole(n.y));
        w.s(&n.zone);
        let specs = n.kind.props();
        let (mut set, mut dflt) = (0u64, 0u64);
        for (i, spec) in specs.iter().enumerate() {
            if let Some(v) = n.props.get(spec.name) {
                set |= 1 << i;
                if n.default_json(spec.name, d.product).as_ref() == Some(v) {
                    dflt |= 1 << i;
                }
            }
        }
        dropped |= n.props.keys().any(|k| n.kind.prop(k).is_none());
        w.u(set);
        w.u(dflt);
        for (i, spec) in specs.iter().enumerate() {
            if set & (1 << i) != 0 && dflt & (1 << i) == 0 {
                if let Some(v) = n.props.get(spec.name) {
                    write_value(&mut w, spec.ty, v);
                }
            }
        }
    }
    let index: std::collections::HashMap<&str, usize> =
        d.nodes.iter().enumerate().map(|(i, n)| (n.id.as_str(), i)).collect();
    w.u(d.links.len() as u64);
    for l in &d.links {
        dropped |= !l.extra.is_empty();
        w.u(index.get(l.from.as_str()).copied().unwrap_or(0) as u64);
        w.u(index.get(l.to.as_str()).copied().unwrap_or(0) as u64);
    }
    w.u(d.waivers.len() as u64);
    for wv in &d.waivers {
        dropped |= !wv.extra.is_empty();
        w.s(&wv.rule);
        w.opt(wv.node.as_deref());
        w.opt(wv.reason.as_deref());
        w.u(wv.expires.as_ref().map(day_number).unwrap_or(0));
    }
    if !needs_v2(d) {
        return (w.0, dropped, 1);
    }
    w.opt(Some(d.notes.as_str()).filter(|s| !s.is_empty()));
    w.opt(Some(d.owner.as_str()).filter(|s| !s.is_empty()));
    let noted: Vec<(usize, &Node)> = d.nodes.iter().enumerate().filter(|(_, n)| !n.notes.is_empty()).collect();
    w.u(noted.len() as u64);
    for (i, n) in noted {
        w.u(i as u64);
        w.s(&n.notes);
    }
    (w.0, dropped, 2)
}

struct R<'a> {
    b: &'a [u8],
    at: usize,
}

type Res<T> = Result<T, String>;

impl<'a> R<'a> {
    fn left(&self) -> usize {
        self.b.len() - self.at
    }
    fn byte(&mut self) -> Res<u8> {
        let v = *self.b.get(self.at).ok_or("it ends too early")?;
        self.at += 1;
        Ok(v)
    }
    fn take(&mut self, n: usize) -> Res<&'a [u8]> {
        if n > self.left() {
            return Err("it ends too early".into());
        }
        let s = &self.b[self.at..self.at + n];
        self.at += n;
        Ok(s)
    }
    fn u(&mut self) -> Res<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number is too long".into())
    }
    fn i(&mut self) -> Res<i64> {
        let v = self.u()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
    fn count(&mut self, what: &str, max: usize) -> Res<usize> {
        let n = self.u()?;
        // Each item takes at least one byte: a larger count is a lie, refused before allocating.
        if n > self.left() as u64 || n > max as u64 {
            return Err(format!("it claims {n} {what}, more than it can hold"));
        }
        Ok(n as usize)
    }
    fn str_of(&mut self, len: u64) -> Res<String> {
        if len > self.left() as u64 {
            return Err("a text runs past the end".into());
        }
        String::from_utf8(self.take(len as usize)?.to_vec()).map_err(|_| "a text is not UTF-8".to_string())
    }
    fn s(&mut self) -> Res<String> {
        let len = self.u()?;
        self.str_of(len)
    }
    fn opt(&mut self) -> Res<Option<String>> {
        match self.u()? {
            0 => Ok(None),
            n => self.str_of(n - 1).map(Some),
        }
    }
    fn index(&mut self, all: &[&str], what: &str) -> Res<String> {
        let i = self.byte()?;
        all.get(usize::from(i)).map(|s| s.to_string()).ok_or_else(|| format!("unknown {what} #{i}"))
    }
}

fn read_value(r: &mut R, ty: PropType) -> Res<Value> {
    Ok(match ty {
        PropType::Addresses => {
            let n = r.count("addresses", 64)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(read_value(r, PropType::Ip)?);
            }
            Value::Array(items)
        }
        PropType::Ip => match r.byte()? {
            4 => {
                let b = r.take(4)?;
                Value::String(Ipv4Addr::new(b[0], b[1], b[2], b[3]).to_string())
            }
            6 => {
                let mut o = [0u8; 16];
                o.copy_from_slice(r.take(16)?);
                Value::String(Ipv6Addr::from(o).to_string())
            }
            0 => Value::String(r.s()?),
            t => return Err(format!("unknown address tag {t}")),
        },
        PropType::Text | PropType::Host | PropType::HostOrIp | PropType::Cidr => Value::String(r.s()?),
        PropType::Number => {
            let v = r.u()?;
            if v == 1 {
                let mut b = [0u8; 8];
                b.copy_from_slice(r.take(8)?);
                let f = f64::from_le_bytes(b);
                if !f.is_finite() {
                    return Err("a number is not finite".into());
                }
                canonical_number(f)
            } else if v & 1 == 0 {
                let z = v >> 1;
                let k = ((z >> 1) as i64) ^ -((z & 1) as i64);
                Value::Number(Number::from(k))
            } else {
                return Err("a number has an unknown form".into());
            }
        }
        PropType::Integer => Value::Number(Number::from(r.i()?)),
        PropType::Bool => match r.byte()? {
            0 => Value::Bool(false),
            1 => Value::Bool(true),
            b => return Err(format!("a boolean is {b}")),
        },
        PropType::Enum(all) => Value::String(r.index(all, "choice")?),
        PropType::Set(all) => {
            let n = r.count("list items", 64)?;
            let mut items = Vec::with_capacity(n);
            for _ in 0..n {
                items.push(Value::String(r.index(all, "list item")?));
            }
            Value::Array(items)
        }
    })
}

fn date_of(n: u64) -> Res<Option<Date>> {
    if n == 0 {
        return Ok(None);
    }
    let n = n - 1;
    let (d, rest) = (n % 31 + 1, n / 31);
    let (m, y) = (rest % 12 + 1, rest / 12);
    if y > 9999 {
        return Err("a waiver date is out of range".into());
    }
    let s = format!("{y:04}-{m:02}-{d:02}");
    Date::parse(&s).map(Some).ok_or_else(|| format!("a waiver date {s} does not exist"))
}

/// Reads a design of encoding `version` (1 or 2); the error says what is wrong with the bytes.
pub fn read(bytes: &[u8], version: u8) -> Res<Design> {
    let mut r = R { b: bytes, at: 0 };
    let name = r.s()?;
    let product = *Product::ALL.get(usize::from(r.byte()?)).ok_or("unknown product")?;
    let domain = r.opt()?.unwrap_or_else(|| DEFAULT_DOMAIN.to_string());
    let scheme = *MembershipScheme::ALL.get(usize::from(r.byte()?)).ok_or("unknown membership scheme")?;
    let n = r.count("nodes", MAX_NODES)?;
    let mut nodes = Vec::with_capacity(n);
    for _ in 0..n {
        let kind = *NodeKind::ALL.get(usize::from(r.byte()?)).ok_or("unknown node kind")?;
        let id_text = match r.u()? {
            0 => r.s()?,
            k => format!("{}-{k}", kind.id_prefix()),
        };
        let id = NodeId::parse(&id_text).ok_or_else(|| format!("{id_text:?} is not a node id"))?;
        let label = r.opt()?.unwrap_or_else(|| id_text.clone());
        let x = r.i()? as f64;
        let y = r.i()? as f64;
        let zone = r.s()?;
        let specs = kind.props();
        let set = r.u()?;
        let dflt = r.u()?;
        let known = if version == 1 { v1_props(kind) } else { specs.len() };
        if set >> known != 0 || dflt & !set != 0 {
            return Err(format!("node {id_text} has properties its kind does not have"));
        }
        let mut node = Node { id, kind, label, x, y, zone, notes: String::new(), props: Map::new(), extra: Map::new() };
        for (i, spec) in specs.iter().enumerate() {
            if set & (1 << i) != 0 && dflt & (1 << i) == 0 {
                let v = read_value(&mut r, spec.ty)?;
                node.props.insert(spec.name.to_string(), v);
            }
        }
        // Defaults last: a derived default (a port) depends on the explicit values.
        let mut props = Map::new();
        for (i, spec) in specs.iter().enumerate() {
            if set & (1 << i) == 0 {
                continue;
            }
            let v = if dflt & (1 << i) != 0 {
                node.default_json(spec.name, product)
            } else {
                node.props.get(spec.name).cloned()
            };
            if let Some(v) = v {
                props.insert(spec.name.to_string(), v);
            }
        }
        node.props = props;
        nodes.push(node);
    }
    let m = r.count("links", MAX_LINKS)?;
    let mut links = Vec::with_capacity(m);
    for _ in 0..m {
        let mut end = || -> Res<NodeId> {
            let i = r.u()?;
            nodes
                .get(i as usize)
                .map(|n: &Node| n.id.clone())
                .ok_or_else(|| format!("a link names node #{i}, which does not exist"))
        };
        let from = end()?;
        let to = end()?;
        links.push(Link::new(from, to));
    }
    let wn = r.count("waivers", 10_000)?;
    let mut waivers = Vec::with_capacity(wn);
    for _ in 0..wn {
        let rule = r.s()?;
        let node = r.opt()?;
        let reason = r.opt()?;
        let expires = date_of(r.u()?)?;
        waivers.push(Waiver { rule, node, reason, expires, extra: Map::new() });
    }
    let (mut notes, mut owner) = (String::new(), String::new());
    if version == 2 {
        notes = r.opt()?.unwrap_or_default();
        owner = r.opt()?.unwrap_or_default();
        let k = r.count("node notes", nodes.len())?;
        let mut last = None;
        for _ in 0..k {
            let i = r.u()? as usize;
            // In node order, each node once: anything else is not what a writer makes.
            if last.is_some_and(|l| i <= l) {
                return Err("node notes out of order".into());
            }
            last = Some(i);
            let text = r.s()?;
            nodes.get_mut(i).ok_or_else(|| format!("notes name node #{i}, which does not exist"))?.notes = text;
        }
    }
    if r.left() != 0 {
        return Err(format!("{} unexpected bytes follow the design", r.left()));
    }
    Ok(Design {
        name,
        notes,
        owner,
        product,
        cluster: Cluster { domain, membership_scheme: scheme, extra: Map::new() },
        nodes,
        links,
        waivers,
        extra: Map::new(),
    })
}
