//! The inspector: the selected node's properties (or the design's own fields) as a form with
//! defaults and units shown. Typed text is parsed by the model's field rules; an invalid value
//! is marked at the field and never stored. A field commits on Enter or when it loses focus: one undo step.
//!
//! The form is written as markup, as the canvas's painter writes the nodes, and its events are
//! handled once on the panel (by the control's `id`, `name` or `data-action`): one reactive
//! effect instead of a component per field. The markup of a part of the form (the design's
//! fields, its zones, its waivers) is replaced only when that part's shape changes (another
//! selection, a zone renamed, a link or a waiver more or less); values, placeholders and marks
//! are set on the controls in place, so that a commit never takes the focus away.

use std::collections::HashMap;

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use super::state::Editor;
use crate::export::escape::xml as esc;
use crate::model::address::is_cluster_domain;
use crate::model::fields;
use crate::model::schema::{PropDefault, MEMBERSHIP_SCHEMES};
use crate::model::zones;
use crate::model::{Command, Date, Design, MembershipScheme, NodeId, Product, PropSpec, PropType, Waiver};

/// What a field edits. Props and zones may be of several selected nodes at once: the field
/// shows their common value (or says they differ) and a change applies to all as one step.
#[derive(Clone, Debug, PartialEq)]
enum Target {
    Prop(Vec<NodeId>, &'static PropSpec),
    Label(NodeId),
    Zone(Vec<NodeId>),
    Name,
    Domain,
    Product,
    Scheme,
    /// A zone's name: the nodes in it (when the field was made) and its place in the list.
    ZoneName(Vec<NodeId>, usize),
    /// A node's review notes.
    Notes(NodeId),
    /// The design's review notes.
    DesignNotes,
    /// The design's owner.
    Owner,
}

impl Target {
    fn name(&self) -> &'static str {
        match self {
            Target::Prop(_, spec) => spec.name,
            Target::Label(_) => "label",
            Target::Zone(_) => "zone",
            Target::Name => "name",
            Target::Domain => "domain",
            Target::Product => "product",
            Target::Scheme => "membership_scheme",
            Target::ZoneName(..) => "zone-name",
            Target::Notes(_) => "notes",
            Target::DesignNotes => "design-notes",
            Target::Owner => "owner",
        }
    }

    /// The form field's element id (unique on the page).
    fn field_id(&self) -> String {
        match self {
            Target::ZoneName(_, i) => format!("field-zone-name-{i}"),
            _ => format!("field-{}", self.name()),
        }
    }

    /// Each selected node's value, as the field would show it.
    fn values(&self, d: &Design) -> Vec<String> {
        match self {
            Target::Prop(ids, spec) => {
                ids.iter().map(|id| fields::display(d.node(id).and_then(|n| n.props.get(spec.name)))).collect()
            }
            Target::Zone(ids) => ids.iter().map(|id| d.node(id).map(|n| n.zone.clone()).unwrap_or_default()).collect(),
            _ => vec![self.read(d)],
        }
    }

    /// True when the selected nodes hold different values.
    fn mixed(&self, d: &Design) -> bool {
        let v = self.values(d);
        v.iter().any(|x| x != &v[0])
    }

    /// The current value as the field shows it (empty when the nodes differ).
    fn read(&self, d: &Design) -> String {
        let node = |id: &NodeId| d.node(id);
        match self {
            Target::Prop(..) | Target::Zone(_) => {
                let v = self.values(d);
                if v.iter().all(|x| x == &v[0]) {
                    v.into_iter().next().unwrap_or_default()
                } else {
                    String::new()
                }
            }
            Target::Label(id) => node(id).map(|n| n.label.clone()).unwrap_or_default(),
            Target::Notes(id) => node(id).map(|n| n.notes.clone()).unwrap_or_default(),
            Target::DesignNotes => d.notes.clone(),
            Target::Owner => d.owner.clone(),
            Target::Name => d.name.clone(),
            Target::Domain => d.cluster.domain.clone(),
            Target::Product => d.product.as_str().to_string(),
            Target::Scheme => d.cluster.membership_scheme.as_str().to_string(),
            Target::ZoneName(ids, _) => {
                let key = ids.first().and_then(|id| d.node(id)).map(|n| zones::key(&n.zone)).unwrap_or_default();
                zones::frames(d, &|_| false).into_iter().find(|f| f.key == key).map(|f| f.name).unwrap_or_default()
            }
        }
    }

    /// The text as the model would store it, when valid (for comparing with the model).
    fn normalize(&self, text: &str) -> Option<String> {
        match self {
            Target::Prop(_, spec) => fields::parse(spec, text).ok().map(|v| fields::display(v.as_ref())),
            _ => Some(text.to_string()),
        }
    }

    /// The command that stores typed text, or why the text is refused.
    fn command(&self, text: &str) -> Result<Command, String> {
        Ok(match self {
            Target::Prop(ids, spec) => {
                let value = fields::parse(spec, text)?;
                Command::Batch(
                    ids.iter()
                        .map(|id| Command::SetProp { id: id.clone(), key: spec.name.to_string(), value: value.clone() })
                        .collect(),
                )
            }
            Target::Label(id) => Command::SetLabel { id: id.clone(), label: text.to_string() },
            Target::Notes(id) => Command::SetNotes { id: id.clone(), notes: text.to_string() },
            Target::DesignNotes => Command::SetDesignNotes(text.to_string()),
            Target::Owner => Command::SetOwner(text.trim().to_string()),
            Target::Zone(ids) => Command::Batch(
                ids.iter().map(|id| Command::SetZone { id: id.clone(), zone: text.trim().to_string() }).collect(),
            ),
            Target::Name => Command::SetName(text.to_string()),
            Target::Domain => {
                if !is_cluster_domain(text) {
                    return Err("use letters, digits, dots, - and _ only (such as wso2.ob.km.domain)".into());
                }
                Command::SetDomain(text.to_string())
            }
            Target::Product => Command::SetProduct(Product::parse(text).ok_or("unknown product")?),
            Target::Scheme => Command::SetScheme(MembershipScheme::parse(text).ok_or("unknown membership scheme")?),
            Target::ZoneName(ids, _) => {
                if text.trim().is_empty() {
                    return Err("a zone needs a name (to take nodes out of a zone, clear theirs)".into());
                }
                Command::Batch(
                    ids.iter().map(|id| Command::SetZone { id: id.clone(), zone: text.trim().to_string() }).collect(),
                )
            }
        })
    }

    /// The field as a person names it: "ip of KM 1 (km-1)", "the design's name".
    fn describe(&self, editor: &Editor) -> String {
        match self {
            Target::Prop(ids, _) | Target::Zone(ids) if ids.len() > 1 => {
                format!("{} of {} nodes", self.name(), ids.len())
            }
            Target::Prop(ids, _) | Target::Zone(ids) => {
                let id = ids.first().cloned();
                let label =
                    editor.design.with_value(|d| id.as_ref().and_then(|id| d.node(id)).map(|n| n.label.clone()));
                format!(
                    "{} of {} ({})",
                    self.name(),
                    label.unwrap_or_default(),
                    id.map(|i| i.to_string()).unwrap_or_default()
                )
            }
            Target::Label(id) | Target::Notes(id) => {
                let label = editor.design.with_value(|d| d.node(id).map(|n| n.label.clone())).unwrap_or_default();
                format!("{} of {label} ({id})", self.name())
            }
            Target::ZoneName(..) => "a zone's name".to_string(),
            _ => format!("the design's {}", self.name()),
        }
    }
}

/// How a field is drawn and edited.
#[derive(Clone, Debug)]
enum Kind {
    /// One line of text: marked at once while typing, stored on Enter or when left.
    Text,
    /// Review notes: several lines, any text valid, stored when left.
    Notes,
    /// A choice among fixed values (the first keeps the default for properties).
    Select,
    /// A set of values from a fixed list, as checkboxes (`field-<name>-<i>`).
    Set(Vec<NodeId>, &'static PropSpec, &'static [&'static str]),
}

/// One field of the form drawn now.
#[derive(Clone, Debug)]
struct Field {
    id: String,
    target: Target,
    kind: Kind,
    placeholder: String,
}

/// Typed text that is not stored yet (an edit under way, or an invalid value kept visible).
#[derive(Clone, Debug)]
struct Edit {
    text: String,
    error: Option<String>,
    /// The field as a person names it ("ip of KM 1 (km-1)"), for share and export refusals.
    what: String,
    /// The text differs from what the design holds (or is invalid). A text that only reads as
    /// the stored value (`8.` for 8) stays as typed while the user types, and gives way to the
    /// stored value at the next change of the design.
    dirty: bool,
}

/// The form drawn now, and what the user has typed into it.
#[derive(Default)]
struct Form {
    /// The markup of each part of the form (the design's fields, its zones, its waivers), as drawn.
    parts: Vec<String>,
    fields: Vec<Field>,
    edits: HashMap<String, Edit>,
    /// The selection the form was drawn for: typed text belongs to it, and goes with it.
    drawn_for: Option<Vec<NodeId>>,
}

/// A choice's value that stands for "the selected nodes differ" (no real value looks like it).
const MIXED: &str = "(mixed)";

/// Writes the form's markup and lists its fields.
struct Writer {
    html: String,
    fields: Vec<Field>,
    parts: Vec<String>,
}

impl Writer {
    /// Ends a part of the form: a part whose markup changes is drawn again alone, so that a
    /// renamed zone does not redraw (and close) the product's choice above it.
    fn part(&mut self) {
        self.parts.push(std::mem::take(&mut self.html));
    }

    fn push(&mut self, parts: &[&str]) {
        for p in parts {
            self.html.push_str(p);
        }
    }

    /// A field's box and the start of its label (the caller closes the label).
    fn open(&mut self, class: &str, id: &str, label: &str) {
        self.push(&[
            r#"<div class=""#,
            class,
            r#""><label for=""#,
            id,
            r#""><span class="field-name">"#,
            &esc(label),
            "</span>",
        ]);
    }

    fn text(&mut self, target: Target, label: &str, unit: &str, placeholder: String, help: &str) {
        let id = target.field_id();
        self.open("field", &id, label);
        if !unit.is_empty() {
            self.push(&[r#"<span class="unit">"#, &esc(unit), "</span>"]);
        }
        self.push(&[
            r#"</label><input id=""#,
            &id,
            r#"" type="text" name=""#,
            target.name(),
            r#"" autocomplete="off" spellcheck="false" title=""#,
            &esc(help),
            r#"" aria-invalid="false" aria-describedby=""#,
            &id,
            r#"-error"><p class="field-error" id=""#,
            &id,
            r#"-error"></p></div>"#,
        ]);
        self.fields.push(Field { id, target, kind: Kind::Text, placeholder });
    }

    fn notes(&mut self, target: Target, label: &str, help: &str) {
        let id = target.field_id();
        self.open("field notes", &id, label);
        self.push(&[
            r#"</label><textarea id=""#,
            &id,
            r#"" name=""#,
            target.name(),
            r#"" rows="3" title=""#,
            &esc(help),
            r#"" data-testid=""#,
            &id,
            r#""></textarea></div>"#,
        ]);
        self.fields.push(Field { id, target, kind: Kind::Notes, placeholder: String::new() });
    }

    fn select(&mut self, d: &Design, target: Target, label: &str, options: &[(String, String)]) {
        let id = target.field_id();
        self.open("field", &id, label);
        self.push(&[r#"</label><select id=""#, &id, r#"" name=""#, target.name(), r#"">"#]);
        if target.mixed(d) {
            self.push(&[r#"<option value=""#, MIXED, r#"" disabled>mixed values</option>"#]);
        }
        for (v, t) in options {
            self.push(&[r#"<option value=""#, &esc(v), r#"">"#, &esc(t), "</option>"]);
        }
        self.html.push_str("</select></div>");
        self.fields.push(Field { id, target, kind: Kind::Select, placeholder: String::new() });
    }

    fn prop(&mut self, d: &Design, ids: &[NodeId], spec: &'static PropSpec) {
        let target = Target::Prop(ids.to_vec(), spec);
        let default = fields::default_text(spec);
        match spec.ty {
            PropType::Enum(all) => {
                let mut options = vec![(String::new(), format!("default ({default})"))];
                options.extend(all.iter().map(|v| (v.to_string(), v.to_string())));
                self.select(d, target, spec.name, &options);
            }
            PropType::Bool => {
                let options = [
                    (String::new(), format!("default ({})", matches!(spec.default, PropDefault::Bool(true)))),
                    ("true".to_string(), "true".to_string()),
                    ("false".to_string(), "false".to_string()),
                ];
                self.select(d, target, spec.name, &options);
            }
            PropType::Set(all) => {
                let id = target.field_id();
                self.push(&[
                    r#"<fieldset class="field set"><legend><span class="field-name">"#,
                    spec.name,
                    "</span></legend>",
                ]);
                for (i, item) in all.iter().enumerate() {
                    self.push(&[
                        r#"<label class="check"><input type="checkbox" id=""#,
                        &format!("{id}-{i}"),
                        r#"" name=""#,
                        spec.name,
                        r#"" value=""#,
                        item,
                        r#"">"#,
                        item,
                        "</label>",
                    ]);
                }
                self.push(&[r#"<p class="hint">default: "#, &esc(&default), "</p></fieldset>"]);
                self.fields.push(Field {
                    id,
                    target,
                    kind: Kind::Set(ids.to_vec(), spec, all),
                    placeholder: String::new(),
                });
            }
            _ => self.text(target, spec.name, spec.unit, format!("default: {default}"), spec.help),
        }
    }
}

const ZONE_HINT: &str = "such as dmz, app, data";

fn node_form(w: &mut Writer, d: &Design, ids: &[NodeId]) {
    let kinds: Vec<_> = ids.iter().filter_map(|id| d.node(id).map(|n| n.kind)).collect();
    let Some(&kind) = kinds.first() else { return };
    if let [id] = ids {
        let label_placeholder = id.to_string();
        w.push(&["<h2>", &esc(kind.title()), r#" <code class="node-id">"#, &esc(id.as_str()), "</code></h2>"]);
        w.text(Target::Label(id.clone()), "label", "", label_placeholder, "shown on the canvas");
        w.text(Target::Zone(ids.to_vec()), "zone", "", ZONE_HINT.into(), "network zone");
        w.notes(
            Target::Notes(id.clone()),
            "notes",
            "review notes: shown as a marker on the node, written into the bundle's README and the diagram",
        );
        links(w, d, id);
        w.html.push_str("<h3>Properties</h3>");
        for spec in kind.props() {
            w.prop(d, ids, spec);
        }
        w.html.push_str(r#"<button class="danger" data-action="delete">Delete node</button>"#);
        return;
    }
    // Several nodes: one kind edits that kind's properties on all of them; mixed kinds the
    // fields they all have.
    let n = ids.len();
    let one_kind = kinds.iter().all(|k| *k == kind);
    let heading = if one_kind {
        format!("{n} {} nodes", kind.title().trim_end_matches(" node"))
    } else {
        format!("{n} nodes of different kinds")
    };
    w.push(&[
        r#"<h2 data-testid="multi-edit">"#,
        &esc(&heading),
        r#"</h2><p class="hint">A change applies to every selected node, as one undo step.</p>"#,
    ]);
    w.text(Target::Zone(ids.to_vec()), "zone", "", ZONE_HINT.into(), "network zone");
    if one_kind {
        w.html.push_str("<h3>Properties</h3>");
        for spec in kind.props() {
            w.prop(d, ids, spec);
        }
    }
    w.push(&[r#"<button class="danger" data-action="delete">Delete "#, &n.to_string(), " nodes</button>"]);
}

/// The node's links, and linking without a pointer: a list of the nodes it may be linked to.
fn links(w: &mut Writer, d: &Design, id: &NodeId) {
    w.html.push_str(r#"<h3>Links</h3><ul class="links-list">"#);
    for (i, l) in d.links.iter().enumerate().filter(|(_, l)| &l.from == id || &l.to == id) {
        let other = if &l.from == id { &l.to } else { &l.from };
        let label = esc(&d.node(other).map(|n| n.label.clone()).unwrap_or_default());
        w.push(&[
            "<li>",
            &label,
            " (",
            &esc(other.as_str()),
            r#")<button class="small" data-action="unlink" data-index=""#,
            &i.to_string(),
            r#"" aria-label="Remove the link to "#,
            &label,
            r#"">×</button></li>"#,
        ]);
    }
    w.html.push_str(
        r#"</ul><div class="field link-to"><label for="field-link-to"><span class="field-name">link to</span></label><select id="field-link-to" name="link-to"><option value="">choose a node…</option>"#,
    );
    for n in d.nodes.iter().filter(|n| crate::model::link_refusal(d, id, &n.id).is_none()) {
        let nid = esc(n.id.as_str());
        w.push(&[r#"<option value=""#, &nid, r#"">"#, &esc(&n.label), " (", &nid, ")</option>"]);
    }
    w.html.push_str(r#"</select><button data-action="link" disabled>Link</button></div>"#);
}

fn design_form(w: &mut Writer, d: &Design) {
    let products: Vec<(String, String)> = Product::ALL
        .iter()
        .map(|p| {
            let text = match p {
                Product::ObIam20 => format!("{} (IS 5.10, deployment.toml)", p.as_str()),
                _ => format!("{} (IS 5.7, XML configuration)", p.as_str()),
            };
            (p.as_str().to_string(), text)
        })
        .collect();
    let schemes: Vec<(String, String)> = MEMBERSHIP_SCHEMES.iter().map(|s| (s.to_string(), s.to_string())).collect();
    w.html.push_str("<h2>Design</h2>");
    w.text(Target::Name, "name", "", "Untitled design".into(), "the design's name");
    w.text(
        Target::Owner,
        "owner",
        "",
        "the team that answers for it".into(),
        "who answers for the design: written into the firewall files and the bundle",
    );
    w.notes(Target::DesignNotes, "notes", "review notes on the whole design");
    w.select(d, Target::Product, "product", &products);
    w.text(Target::Domain, "cluster domain", "", "wso2.ob.km.domain".into(), "Hazelcast clustering domain");
    w.select(d, Target::Scheme, "membership scheme", &schemes);
    w.push(&[r#"<p class="hint">"#, &format!("{} nodes, {} links", d.nodes.len(), d.links.len()), "</p>"]);
    w.part();
    zones_part(w, d);
    w.part();
    waivers_part(w, d);
}

/// The zones: each one's name (renaming it renames the zone of every node in it, one step),
/// and, when a zone is written in more than one way, the offer to merge the spellings.
fn zones_part(w: &mut Writer, d: &Design) {
    let frames = zones::frames(d, &|_| false);
    if frames.is_empty() {
        return;
    }
    w.html.push_str(
        r#"<h3>Zones</h3><p class="hint">Drag a node into a zone's frame to put it there, out of every frame to take it out.</p>"#,
    );
    let variants = zones::spelled_differently(d);
    if !variants.is_empty() {
        let said: Vec<String> =
            variants.iter().map(|v| v.iter().map(|s| format!("“{s}”")).collect::<Vec<_>>().join(" and ")).collect();
        w.push(&[
            r#"<p class="zone-notice" role="status" data-testid="zone-case-notice">"#,
            &esc(&format!("Zones {} differ only by case and are drawn as one. ", said.join("; "))),
            r#"<button data-action="merge-zones">Merge</button></p>"#,
        ]);
    }
    for (i, f) in frames.into_iter().enumerate() {
        let ids: Vec<NodeId> = f.nodes.iter().filter_map(|&n| d.nodes.get(n).map(|n| n.id.clone())).collect();
        let help = if ids.len() == 1 {
            "rename this zone (its node keeps it)"
        } else {
            "rename this zone (all its nodes keep it)"
        };
        w.text(Target::ZoneName(ids, i), &format!("zone {}", f.name), "", f.name.clone(), help);
    }
}

fn waivers_part(w: &mut Writer, d: &Design) {
    if d.waivers.is_empty() {
        return;
    }
    w.html.push_str(r#"<h3>Waivers</h3><ul class="waivers">"#);
    for (i, waiver) in d.waivers.iter().enumerate() {
        let target = match &waiver.node {
            Some(n) => format!("{} on {n}", waiver.rule),
            None => waiver.rule.clone(),
        };
        let i = i.to_string();
        w.push(&[
            r#"<li class="waiver"><strong>"#,
            &esc(&target),
            r#"</strong><div class="field"><label for="waiver-"#,
            &i,
            r#"-reason"><span class="field-name">reason</span></label><input type="text" id="waiver-"#,
            &i,
            r#"-reason" name="waiver-reason" data-index=""#,
            &i,
            r#"" value=""#,
            &esc(waiver.reason.as_deref().unwrap_or_default()),
            r#""></div><div class="field"><label for="waiver-"#,
            &i,
            r#"-expires"><span class="field-name">expires</span><span class="unit">last day it applies</span></label><input type="date" id="waiver-"#,
            &i,
            r#"-expires" name="waiver-expires" data-index=""#,
            &i,
            r#"" value=""#,
            &waiver.expires.map(|d| d.to_string()).unwrap_or_default(),
            r#""></div><button data-action="remove-waiver" data-index=""#,
            &i,
            r#"">Remove waiver</button></li>"#,
        ]);
    }
    w.html.push_str("</ul>");
}

/// Replaces the waiver at `index` with an edited copy, as one step.
fn edit_waiver(editor: &Editor, index: usize, edit: impl FnOnce(&mut Waiver)) {
    let Some(mut w) = editor.design.with_value(|d| d.waivers.get(index).cloned()) else { return };
    edit(&mut w);
    editor.execute(Command::Batch(vec![Command::RemoveWaiver { index }, Command::AddWaiver { waiver: w, index }]));
}

/// The control an event came from, with its `id`, `name` and `data-index`.
struct Control {
    el: web_sys::HtmlInputElement,
    id: String,
    name: String,
    index: Option<usize>,
}

fn control(ev: &web_sys::Event, replacing: StoredValue<bool, LocalStorage>) -> Option<Control> {
    if replacing.get_value() {
        return None;
    }
    let el: web_sys::Element = ev.target()?.dyn_into().ok()?;
    let index = el.get_attribute("data-index").and_then(|i| i.parse().ok());
    Some(Control { id: el.id(), name: el.get_attribute("name").unwrap_or_default(), index, el: el.unchecked_into() })
}

/// The inspector panel.
#[component]
pub fn Inspector(editor: Editor, settled: RwSignal<bool>) -> impl IntoView {
    let aside: NodeRef<leptos::html::Aside> = NodeRef::new();
    let form = StoredValue::new_local(Form::default());
    let replacing = StoredValue::new_local(false);
    let changing = StoredValue::new_local(false);
    // Sets every control to the design and the typed text, and the invalid fields' list with them.
    let refresh = move || {
        form.with_value(|f| editor.design.with_value(|d| set_values(f, d)));
        sync_invalid(editor, form);
    };
    // Draws the form for the selection (or the design), then sets every control's value.
    let draw = move || {
        let Some(el) = aside.get_untracked() else { return };
        let el: web_sys::Element = el.unchecked_into();
        let ids = editor.selected.get_untracked();
        let mut w = Writer { html: String::new(), fields: Vec::new(), parts: Vec::new() };
        editor.design.with_value(|d| {
            if !settled.get_untracked() {
                w.html.push_str("<h2>Design</h2>");
            } else if ids.is_empty() {
                design_form(&mut w, d);
            } else {
                node_form(&mut w, d, &ids);
            }
        });
        // Text typed for other nodes is not carried to these (the fields' ids do not name nodes).
        form.update_value(|f| {
            if f.drawn_for.as_ref() != Some(&ids) {
                f.edits.clear();
                f.drawn_for = Some(ids.clone());
            }
        });
        w.part();
        let changed: Vec<usize> = form.with_value(|f| {
            if f.parts.len() != w.parts.len() {
                return vec![usize::MAX];
            }
            (0..w.parts.len()).filter(|&i| f.parts[i] != w.parts[i]).collect()
        });
        if !changed.is_empty() {
            // A control's change (leaving it with Tab, say) comes while the browser moves the
            // focus: the form is replaced once the focus has landed, and keeps it there.
            if changing.get_value() {
                return;
            }
            // Removing the focused control makes the browser send it a last `change` at once:
            // that event belongs to the form being replaced, and is not handled.
            replacing.set_value(true);
            if changed == [usize::MAX] {
                let whole: String = w.parts.iter().map(|p| format!(r#"<div class="part">{p}</div>"#)).collect();
                replace_keeping_focus(&el, &whole);
            } else {
                let children = el.children();
                for &i in &changed {
                    if let Some(part) = children.item(i as u32) {
                        replace_keeping_focus(&part, &w.parts[i]);
                    }
                }
            }
            replacing.set_value(false);
            form.update_value(|f| {
                f.parts = std::mem::take(&mut w.parts);
                // A zone's field is known by its place in the list, which a new shape may change.
                f.edits.retain(|id, _| !id.starts_with("field-zone-name-"));
            });
        }
        form.update_value(|f| {
            // Edits of fields that are gone go with them; a text that reads as the stored value
            // gives way to it.
            f.edits.retain(|id, e| e.dirty && w.fields.iter().any(|x| &x.id == id));
            f.fields = w.fields;
        });
        refresh();
    };
    Effect::new(move |_| {
        editor.rev.track();
        editor.selected.track();
        settled.track();
        draw();
    });
    // On a narrow screen the panels stack: a selection brings the inspector into view.
    Effect::new(move |first: Option<()>| {
        let any = editor.selected.with(|s| !s.is_empty());
        let narrow = gloo_utils::window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < 900.0);
        if first.is_some() && any && narrow {
            if let Some(el) = aside.get_untracked() {
                el.scroll_into_view();
            }
        }
    });
    let field = move |id: &str| form.with_value(|f| f.fields.iter().find(|x| x.id == id).cloned());
    // Typing: marked at once, stored on Enter or when the field is left.
    let on_input = move |ev: web_sys::Event| {
        let Some(c) = control(&ev, replacing) else { return };
        let Some(f) = field(&c.id) else { return };
        let text = c.el.value();
        match f.kind {
            Kind::Text => {
                let problem = f.target.command(&text).err();
                let stored = editor.design.with_value(|d| f.target.read(d));
                let dirty = problem.is_some() || f.target.normalize(&text).as_deref() != Some(stored.as_str());
                let what = f.target.describe(&editor);
                form.update_value(|s| {
                    s.edits.insert(f.id.clone(), Edit { text, error: problem, what, dirty });
                });
            }
            Kind::Notes => {
                let what = f.target.describe(&editor);
                form.update_value(|s| {
                    s.edits.insert(f.id.clone(), Edit { text, error: None, what, dirty: true });
                });
            }
            _ => return,
        }
        refresh();
    };
    // Stores the field's text as one undo step; an invalid text stays visible and marked.
    let commit = move |f: &Field, text: String| {
        match f.kind {
            Kind::Text => match f.target.command(&text) {
                Ok(cmd) => {
                    form.update_value(|s| {
                        s.edits.remove(&f.id);
                    });
                    let stored = editor.design.with_value(|d| f.target.read(d));
                    if f.target.normalize(&text).as_deref() != Some(stored.as_str()) {
                        if let Err(e) = editor.try_execute(cmd) {
                            let what = f.target.describe(&editor);
                            form.update_value(|s| {
                                s.edits.insert(f.id.clone(), Edit { text, error: Some(e), what, dirty: true });
                            });
                        }
                    }
                }
                Err(e) => {
                    let what = f.target.describe(&editor);
                    form.update_value(|s| {
                        s.edits.insert(f.id.clone(), Edit { text, error: Some(e), what, dirty: true });
                    });
                }
            },
            Kind::Notes => {
                form.update_value(|s| {
                    s.edits.remove(&f.id);
                });
                if text != editor.design.with_value(|d| f.target.read(d)) {
                    if let Ok(cmd) = f.target.command(&text) {
                        let _ = editor.try_execute(cmd);
                    }
                }
            }
            Kind::Select => {
                if text != MIXED {
                    match f.target.command(&text) {
                        Ok(cmd) => editor.execute(cmd),
                        Err(e) => editor.alert(e),
                    }
                }
            }
            Kind::Set(..) => {}
        }
        draw();
    };
    let on_change = move |ev: web_sys::Event| {
        let Some(c) = control(&ev, replacing) else { return };
        changing.set_value(true);
        set_timeout(
            move || {
                changing.set_value(false);
                draw();
            },
            std::time::Duration::ZERO,
        );
        if let Some(f) = field(&c.id) {
            commit(&f, c.el.value());
            return;
        }
        match (c.name.as_str(), c.index) {
            ("link-to", _) => {
                // "Link" waits for a node to be chosen (the choice lives in the select itself).
                if let Some(button) = c.el.next_element_sibling() {
                    let _ = button.toggle_attribute_with_force("disabled", c.el.value().is_empty());
                }
            }
            ("waiver-reason", Some(i)) => {
                let v = c.el.value();
                edit_waiver(&editor, i, |w| w.reason = Some(v));
            }
            ("waiver-expires", Some(i)) => {
                let v = c.el.value();
                if v.is_empty() {
                    edit_waiver(&editor, i, |w| w.expires = None);
                } else if let Some(date) = Date::parse(&v) {
                    edit_waiver(&editor, i, |w| w.expires = Some(date));
                } else {
                    editor.alert(format!("{v:?} is not a date YYYY-MM-DD"));
                }
            }
            _ => {
                // A set's checkbox (`<field id>-<i>`).
                let set = c.id.rsplit_once('-').and_then(|(base, i)| Some((field(base)?, i.parse::<usize>().ok()?)));
                if let Some((Field { kind: Kind::Set(ids, spec, all), .. }, i)) = set {
                    set_item(editor, &ids, spec, all, i, c.el.checked());
                }
            }
        }
    };
    let on_key = move |ev: web_sys::KeyboardEvent| {
        let Some(c) = control(&ev, replacing) else { return };
        let Some(f) = field(&c.id) else { return };
        match (ev.key().as_str(), &f.kind) {
            ("Enter", Kind::Text) => {
                ev.prevent_default();
                commit(&f, c.el.value());
            }
            ("Escape", Kind::Text | Kind::Notes) => {
                // Back to the stored value.
                ev.prevent_default();
                ev.stop_propagation();
                form.update_value(|s| {
                    s.edits.remove(&f.id);
                });
                refresh();
            }
            _ => {}
        }
    };
    let on_click = move |ev: web_sys::MouseEvent| {
        let Some(button) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|t| t.closest("[data-action]").ok().flatten())
        else {
            return;
        };
        let index = button.get_attribute("data-index").and_then(|i| i.parse::<usize>().ok());
        match (button.get_attribute("data-action").unwrap_or_default().as_str(), index) {
            ("delete", _) => {
                let ids = editor.selected.get_untracked();
                editor.execute(Command::Batch(ids.into_iter().map(|id| Command::RemoveNode { id }).collect()));
            }
            ("unlink", Some(index)) => editor.execute(Command::RemoveLink { index }),
            ("link", _) => {
                let (Some(from), Some(to)) = (
                    editor.selected.with_untracked(|s| s.first().cloned()),
                    button
                        .previous_element_sibling()
                        .and_then(|s| NodeId::parse(&s.unchecked_into::<web_sys::HtmlInputElement>().value())),
                ) else {
                    return;
                };
                let index = editor.design.with_value(|d| d.links.len());
                editor.execute(Command::AddLink { link: crate::model::Link::new(from, to), index });
            }
            ("merge-zones", _) => {
                if let Some(cmd) = editor.design.with_value(zones::merge_spellings) {
                    editor.execute(cmd);
                }
            }
            ("remove-waiver", Some(index)) => editor.execute(Command::RemoveWaiver { index }),
            _ => {}
        }
    };
    view! {
        <aside
            node_ref=aside
            data-testid="inspector"
            class="inspector"
            aria-label="Inspector"
            on:input=on_input
            on:change=on_change
            on:keydown=on_key
            on:click=on_click
        ></aside>
    }
}

/// Replaces the panel's markup; the control that had the focus (by id, else by action) has it again.
fn replace_keeping_focus(el: &web_sys::Element, html: &str) {
    let doc = gloo_utils::document();
    let focused = doc.active_element().filter(|a| el.contains(Some(a)));
    let key = focused.map(|a| match a.id() {
        id if !id.is_empty() => format!("#{id}"),
        _ => a.get_attribute("data-action").map(|x| format!("[data-action=\"{x}\"]")).unwrap_or_default(),
    });
    el.set_inner_html(html);
    if let Some(again) = key.filter(|k| !k.is_empty()).and_then(|k| el.query_selector(&k).ok().flatten()) {
        let _ = again.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}

/// Sets every control to what the design holds (or to the text being typed into it): values,
/// "mixed values", invalid marks and the checkboxes of sets. Only what differs is touched.
fn set_values(form: &Form, d: &Design) {
    let doc = gloo_utils::document();
    let by_id = |id: &str| doc.get_element_by_id(id);
    for f in &form.fields {
        let Some(el) = by_id(&f.id) else { continue };
        let input: &web_sys::HtmlInputElement = el.unchecked_ref();
        let edit = form.edits.get(&f.id);
        match &f.kind {
            Kind::Text | Kind::Notes => {
                let value = edit.map(|e| e.text.clone()).unwrap_or_else(|| f.target.read(d));
                if input.value() != value {
                    input.set_value(&value);
                }
                if matches!(f.kind, Kind::Text) {
                    let placeholder =
                        if f.target.mixed(d) { "mixed values: type one for all" } else { f.placeholder.as_str() };
                    if el.get_attribute("placeholder").as_deref() != Some(placeholder) {
                        let _ = el.set_attribute("placeholder", placeholder);
                    }
                    let error = edit.and_then(|e| e.error.as_deref());
                    let _ = el.set_attribute("aria-invalid", if error.is_some() { "true" } else { "false" });
                    if let Some(wrap) = el.parent_element() {
                        let _ = wrap.class_list().toggle_with_force("invalid", error.is_some());
                    }
                    if let Some(p) = by_id(&format!("{}-error", f.id)) {
                        let text = error.unwrap_or_default();
                        if p.text_content().as_deref() != Some(text) {
                            p.set_text_content(Some(text));
                        }
                    }
                }
            }
            Kind::Select => {
                let value = if f.target.mixed(d) { MIXED.to_string() } else { f.target.read(d) };
                if input.value() != value {
                    input.set_value(&value);
                }
            }
            Kind::Set(ids, spec, all) => {
                let lists: Vec<Vec<String>> =
                    ids.iter().map(|id| d.node(id).map(|n| n.list(spec.name, d.product)).unwrap_or_default()).collect();
                for (i, item) in all.iter().enumerate() {
                    let Some(b) = by_id(&format!("{}-{i}", f.id)) else { continue };
                    let b: web_sys::HtmlInputElement = b.unchecked_into();
                    let some = lists.iter().filter(|l| l.iter().any(|s| s == item)).count();
                    b.set_checked(some == lists.len());
                    b.set_indeterminate(some > 0 && some < lists.len());
                }
            }
        }
    }
}

/// While a field holds an invalid text, share and export say so and do nothing.
fn sync_invalid(editor: Editor, form: StoredValue<Form, LocalStorage>) {
    let invalid: Vec<String> = form.with_value(|f| {
        f.fields
            .iter()
            .filter_map(|x| f.edits.get(&x.id).filter(|e| e.error.is_some()).map(|e| e.what.clone()))
            .collect()
    });
    if editor.invalid_fields.with_untracked(|v| v != &invalid) {
        editor.invalid_fields.set(invalid);
    }
}

/// Turns one item of a set on or off on every selected node, as one step.
fn set_item(
    editor: Editor,
    ids: &[NodeId],
    spec: &'static PropSpec,
    all: &'static [&'static str],
    item: usize,
    on: bool,
) {
    let Some(&item) = all.get(item) else { return };
    let cmds = editor.design.with_value(|d| {
        ids.iter()
            .map(|id| {
                let mut list = d.node(id).map(|n| n.list(spec.name, d.product)).unwrap_or_default();
                list.retain(|s| s != item);
                if on {
                    list.push(item.to_string());
                }
                // Keep the schema's order so the file reads the same whichever box was clicked.
                let ordered: Vec<serde_json::Value> =
                    all.iter().filter(|a| list.iter().any(|s| s == *a)).map(|a| serde_json::Value::from(*a)).collect();
                Command::SetProp { id: id.clone(), key: spec.name.into(), value: Some(ordered.into()) }
            })
            .collect()
    });
    editor.execute(Command::Batch(cmds));
}
