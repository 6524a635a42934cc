//! Every command's inverse restores the design exactly, over random command sequences; the
//! history undoes and redoes them; invalid commands leave the design unchanged.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use obkm_topology::model::{apply, link_refusal, save, templates, Command, Design, History, Link, NodeKind, Waiver};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

fn start() -> Design {
    templates::design("ha").unwrap().unwrap()
}

/// An abstract edit, resolved against the current design when it is applied.
#[derive(Clone, Debug)]
enum Op {
    Add(u8, i16, i16),
    Remove(u8),
    Move(u8, i16, i16),
    Prop(u8, u8, u8),
    Unset(u8, u8),
    Label(u8, String),
    Zone(u8, String),
    Link(u8, u8),
    Unlink(u8),
    Name(String),
    Product(u8),
    Domain(String),
    Scheme(u8),
    Waive(String),
    Unwaive(u8),
    Replace,
    Batch(Vec<Op>),
}

fn leaf() -> impl Strategy<Value = Op> {
    prop_oneof![
        (any::<u8>(), any::<i16>(), any::<i16>()).prop_map(|(k, x, y)| Op::Add(k, x, y)),
        any::<u8>().prop_map(Op::Remove),
        (any::<u8>(), any::<i16>(), any::<i16>()).prop_map(|(n, x, y)| Op::Move(n, x, y)),
        (any::<u8>(), any::<u8>(), any::<u8>()).prop_map(|(n, p, v)| Op::Prop(n, p, v)),
        (any::<u8>(), any::<u8>()).prop_map(|(n, p)| Op::Unset(n, p)),
        (any::<u8>(), "\\PC{0,12}").prop_map(|(n, s)| Op::Label(n, s)),
        (any::<u8>(), "[a-z]{0,6}").prop_map(|(n, s)| Op::Zone(n, s)),
        (any::<u8>(), any::<u8>()).prop_map(|(a, b)| Op::Link(a, b)),
        any::<u8>().prop_map(Op::Unlink),
        "\\PC{0,12}".prop_map(Op::Name),
        any::<u8>().prop_map(Op::Product),
        "[a-z.]{0,12}".prop_map(Op::Domain),
        any::<u8>().prop_map(Op::Scheme),
        "[A-Z]{2,4}-00[1-9]".prop_map(Op::Waive),
        any::<u8>().prop_map(Op::Unwaive),
        Just(Op::Replace),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    leaf().prop_recursive(2, 16, 4, |inner| prop::collection::vec(inner, 0..4).prop_map(Op::Batch))
}

/// A value of the property's type, chosen by `v`.
fn value_for(ty: obkm_topology::model::PropType, v: u8) -> Value {
    use obkm_topology::model::PropType as T;
    match ty {
        T::Text | T::Host | T::Ip | T::HostOrIp | T::Cidr => json!(format!("v{v}")),
        T::Number => json!(f64::from(v) / 4.0),
        T::Integer => json!(v),
        T::Bool => json!(v.is_multiple_of(2)),
        T::Enum(all) => json!(all[usize::from(v) % all.len()]),
        T::Set(all) => Value::Array(
            all.iter().enumerate().filter(|(i, _)| (v >> (i % 8)) & 1 == 1).map(|(_, s)| json!(s)).collect(),
        ),
        T::Addresses => json!([format!("10.0.0.{v}"), format!("10.1.{v}.0/24")]),
    }
}

fn resolve(d: &Design, op: &Op) -> Option<Command> {
    let node = |i: u8| d.nodes.get(usize::from(i) % d.nodes.len().max(1)).map(|n| n.id.clone());
    Some(match op {
        Op::Add(k, x, y) => {
            let kind = NodeKind::ALL[usize::from(*k) % 8];
            let mut node = d.new_node(kind, f64::from(*x), f64::from(*y));
            node.extra.insert("note".into(), json!("kept"));
            Command::AddNode { node, index: usize::from(*k) % (d.nodes.len() + 1) }
        }
        Op::Remove(n) => Command::RemoveNode { id: node(*n)? },
        Op::Move(n, x, y) => Command::MoveNode { id: node(*n)?, x: f64::from(*x), y: f64::from(*y) },
        Op::Prop(n, p, v) => {
            let id = node(*n)?;
            let specs = d.node(&id)?.kind.props();
            let spec = specs[usize::from(*p) % specs.len()];
            Command::SetProp { id, key: spec.name.into(), value: Some(value_for(spec.ty, *v)) }
        }
        Op::Unset(n, p) => {
            let id = node(*n)?;
            let specs = d.node(&id)?.kind.props();
            Command::SetProp { id, key: specs[usize::from(*p) % specs.len()].name.into(), value: None }
        }
        Op::Label(n, s) => Command::SetLabel { id: node(*n)?, label: s.clone() },
        Op::Zone(n, s) => Command::SetZone { id: node(*n)?, zone: s.clone() },
        Op::Link(a, b) => {
            Command::AddLink { link: Link::new(node(*a)?, node(*b)?), index: usize::from(*a) % (d.links.len() + 1) }
        }
        Op::Unlink(i) => Command::RemoveLink { index: usize::from(*i) % d.links.len().max(1) },
        Op::Name(s) => Command::SetName(s.clone()),
        Op::Product(p) => Command::SetProduct(obkm_topology::model::Product::ALL[usize::from(*p) % 4]),
        Op::Domain(s) => Command::SetDomain(s.clone()),
        Op::Scheme(s) => Command::SetScheme(obkm_topology::model::MembershipScheme::ALL[usize::from(*s) % 4]),
        Op::Waive(rule) => Command::AddWaiver {
            waiver: Waiver {
                rule: rule.clone(),
                node: None,
                reason: Some("r".into()),
                expires: None,
                extra: Map::new(),
            },
            index: 0,
        },
        Op::Unwaive(i) => Command::RemoveWaiver { index: usize::from(*i) % d.waivers.len().max(1) },
        Op::Replace => Command::Replace(Box::new(templates::design("broken").unwrap().unwrap())),
        Op::Batch(ops) => {
            // Resolve against the design as it is now; later members may then fail, which
            // must roll the whole batch back.
            Command::Batch(ops.iter().filter_map(|o| resolve(d, o)).collect())
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn inverses_restore_the_design_exactly(ops in prop::collection::vec(op(), 1..24)) {
        let original = start();
        let mut d = original.clone();
        let mut snapshots = vec![d.clone()];
        let mut inverses = Vec::new();
        for op in &ops {
            let Some(cmd) = resolve(&d, op) else { continue };
            let before = d.clone();
            match apply(&mut d, cmd) {
                Ok(inv) => { inverses.push(inv); snapshots.push(d.clone()); }
                Err(_) => prop_assert_eq!(&d, &before, "a failed command changed the design"),
            }
        }
        // Undo step by step: each inverse brings back the previous snapshot, byte for byte.
        snapshots.pop();
        while let Some(inv) = inverses.pop() {
            apply(&mut d, inv).expect("an inverse always applies");
            let expected = snapshots.pop().unwrap();
            prop_assert_eq!(save(&d), save(&expected));
            prop_assert_eq!(&d, &expected);
        }
        prop_assert_eq!(d, original);
    }

    #[test]
    fn history_undoes_and_redoes_everything(ops in prop::collection::vec(op(), 1..16)) {
        let original = start();
        let mut d = original.clone();
        let mut h = History::default();
        for op in &ops {
            if let Some(cmd) = resolve(&d, op) { let _ = h.execute(&mut d, cmd, None); }
        }
        let edited = d.clone();
        while h.undo(&mut d) {}
        prop_assert_eq!(&d, &original);
        while h.redo(&mut d) {}
        prop_assert_eq!(&d, &edited);
    }
}

#[test]
fn removing_a_node_removes_its_links_and_undo_restores_their_places() {
    let mut d = start();
    let before = d.clone();
    let km1 = d.nodes.iter().find(|n| n.id.as_str() == "km-1").unwrap().id.clone();
    let inv = apply(&mut d, Command::RemoveNode { id: km1.clone() }).unwrap();
    assert!(d.links.iter().all(|l| l.from != km1 && l.to != km1));
    apply(&mut d, inv).unwrap();
    assert_eq!(d, before);
}

#[test]
fn typing_in_one_field_is_one_undo_step() {
    let mut d = start();
    let before = d.clone();
    let mut h = History::default();
    let id = d.nodes[2].id.clone();
    for v in [8, 81, 8] {
        h.execute(
            &mut d,
            Command::SetProp { id: id.clone(), key: "memory_gb".into(), value: Some(json!(v)) },
            Some("km-1/memory_gb".into()),
        )
        .unwrap();
    }
    h.seal();
    h.execute(&mut d, Command::SetLabel { id: id.clone(), label: "x".into() }, None).unwrap();
    assert!(h.undo(&mut d));
    assert!(h.undo(&mut d));
    assert_eq!(d, before);
    assert!(!h.can_undo());
}

#[test]
fn bad_commands_are_refused_and_change_nothing() {
    let mut d = start();
    let before = d.clone();
    let km = d.nodes[2].id.clone();
    let bad = [
        Command::SetProp { id: km.clone(), key: "memory_gb".into(), value: Some(json!("eight")) },
        Command::SetProp { id: km.clone(), key: "colour".into(), value: Some(json!(1)) },
        Command::MoveNode { id: km.clone(), x: f64::NAN, y: 0.0 },
        Command::RemoveLink { index: 999 },
        Command::Batch(vec![
            Command::SetLabel { id: km.clone(), label: "changed".into() },
            Command::RemoveLink { index: 999 },
        ]),
        Command::AddNode { node: d.nodes[0].clone(), index: 0 },
    ];
    for cmd in bad {
        assert!(apply(&mut d, cmd.clone()).is_err(), "{cmd:?} was accepted");
        assert_eq!(d, before, "{cmd:?} changed the design");
    }
}

#[test]
fn the_editor_refuses_links_the_format_does_not_list() {
    let d = start();
    let id = |s: &str| d.nodes.iter().find(|n| n.id.as_str() == s).unwrap().id.clone();
    assert!(link_refusal(&d, &id("km-1"), &id("km-2")).unwrap().contains("cluster"));
    assert!(link_refusal(&d, &id("km-1"), &id("km-1")).unwrap().contains("itself"));
    assert!(link_refusal(&d, &id("lb-1"), &id("km-1")).unwrap().contains("already linked"));
    assert!(link_refusal(&d, &id("km-1"), &id("lb-1")).unwrap().contains("already linked"));
    assert!(link_refusal(&d, &id("lb-1"), &id("db-1")).unwrap().contains("cannot be linked"));
    assert_eq!(link_refusal(&d, &id("clients"), &id("lb-1")).map(|_| ()), Some(()));
    let mut d2 = d.clone();
    let am = d2.new_node(NodeKind::ApiManager, 0.0, 0.0);
    let am_id = am.id.clone();
    assert_eq!(am_id.as_str(), "am-1");
    apply(&mut d2, Command::AddNode { node: am, index: 0 }).unwrap();
    assert_eq!(link_refusal(&d2, &am_id, &id("lb-1")), None);
    assert_eq!(d2.next_id(NodeKind::KeyManager).as_str(), "km-3");
}

#[test]
fn commands_say_what_they_did() {
    use obkm_topology::model::command::describe;
    let d = start();
    let km = d.nodes.iter().find(|n| n.kind == NodeKind::KeyManager).unwrap().clone();
    let mut added = d.new_node(NodeKind::KeyManager, 0.0, 0.0);
    added.label = "KM 9".into();
    let id = added.id.clone();
    assert_eq!(describe(&Command::AddNode { node: added, index: 0 }, &d), format!("Key Manager {id} added"));
    assert_eq!(describe(&Command::RemoveNode { id: km.id.clone() }, &d), format!("Key Manager {} deleted", km.id));
    let two: Vec<Command> = d.nodes.iter().take(2).map(|n| Command::RemoveNode { id: n.id.clone() }).collect();
    assert_eq!(describe(&Command::Batch(two), &d), "2 nodes deleted");
    let l = &d.links[0];
    assert_eq!(describe(&Command::RemoveLink { index: 0 }, &d), format!("link {} to {} deleted", l.from, l.to));
    assert_eq!(
        describe(&Command::SetProp { id: km.id.clone(), key: "heap_gb".into(), value: Some(json!(3)) }, &d),
        format!("{}: heap_gb set to 3", km.id)
    );
}
