//! The inspector: the selected node's properties (or the design's own fields) as a form with
//! defaults and units shown. Typed text is parsed by the model's field rules; an invalid value
//! is marked at the field and never stored. A field commits on Enter or when it loses focus: one undo step.

use leptos::prelude::*;

use super::state::Editor;
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

/// A free-text field: what it shows is what the design holds. Typing marks an invalid text at
/// once; Enter or leaving the field stores a valid one as one undo step; an invalid text stays
/// visible and marked until fixed or reverted (Escape puts back the stored value).
#[component]
fn TextField(
    editor: Editor,
    target: Target,
    label: String,
    unit: &'static str,
    placeholder: String,
    help: &'static str,
) -> impl IntoView {
    let read = {
        let t = target.clone();
        move || editor.design.with_value(|d| t.read(d))
    };
    let text = RwSignal::new(read());
    let error = RwSignal::new(None::<String>);
    // Typed text that is not stored yet (an edit under way, or an invalid value kept visible).
    let dirty = RwSignal::new(false);
    let what = target.describe(&editor);
    {
        let read = read.clone();
        Effect::new(move |_| {
            editor.rev.track();
            let model = read();
            if !dirty.get_untracked() && text.get_untracked() != model {
                text.set(model);
                error.set(None);
            }
        });
    }
    // While the field holds an invalid text, share and export say so and do nothing.
    {
        let mine = what.clone();
        Effect::new(move |_| {
            let invalid = error.with(|e| e.is_some());
            editor.invalid_fields.update(|v| {
                v.retain(|w| w != &mine);
                if invalid {
                    v.push(mine.clone());
                }
            });
        });
        on_cleanup(move || editor.invalid_fields.update(|v| v.retain(|w| w != &what)));
    }
    let on_input = {
        let t = target.clone();
        let read = read.clone();
        move |ev: web_sys::Event| {
            let value = event_target_value(&ev);
            text.set(value.clone());
            // Marked at once while typing; stored on Enter or when the field loses focus.
            let problem = t.command(&value).err();
            dirty.set(problem.is_some() || t.normalize(&value).as_deref() != Some(read().as_str()));
            error.set(problem);
        }
    };
    // Stores the typed text as one undo step; an invalid text stays visible and marked.
    let commit = {
        let t = target.clone();
        let read = read.clone();
        move || {
            // A field that is already gone (its node was deselected) has nothing to store.
            let Some(value) = text.try_get_untracked() else { return };
            match t.command(&value) {
                Ok(cmd) => {
                    error.try_set(None);
                    dirty.try_set(false);
                    if t.normalize(&value).as_deref() != Some(read().as_str()) {
                        if let Err(e) = editor.try_execute(cmd) {
                            error.try_set(Some(e));
                            dirty.try_set(true);
                            return;
                        }
                    }
                    text.try_set(read());
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        }
    };
    let on_change = {
        let commit = commit.clone();
        move |_: web_sys::Event| commit()
    };
    let on_key = {
        let read = read.clone();
        move |ev: web_sys::KeyboardEvent| match ev.key().as_str() {
            "Enter" => {
                ev.prevent_default();
                commit();
            }
            "Escape" => {
                // Back to the stored value.
                ev.prevent_default();
                ev.stop_propagation();
                dirty.set(false);
                error.set(None);
                text.set(read());
            }
            _ => {}
        }
    };
    let mixed = {
        let t = target.clone();
        move || {
            editor.rev.track();
            editor.design.with_value(|d| t.mixed(d))
        }
    };
    let name = target.name();
    let field_id = target.field_id();
    let err_id = format!("{field_id}-error");
    view! {
        <div class="field" class:invalid=move || error.with(|e| e.is_some())>
            <label for=field_id.clone()>
                <span class="field-name">{label}</span>
                {(!unit.is_empty()).then(|| view! { <span class="unit">{unit}</span> })}
            </label>
            <input
                id=field_id
                type="text"
                name=name
                autocomplete="off"
                spellcheck="false"
                placeholder=move || if mixed() { "mixed values: type one for all".to_string() } else { placeholder.clone() }
                title=help
                prop:value=move || text.get()
                aria-invalid=move || if error.with(|e| e.is_some()) { "true" } else { "false" }
                aria-describedby=err_id.clone()
                on:input=on_input
                on:change=on_change
                on:keydown=on_key
            />
            <p class="field-error" id=err_id>{move || error.get()}</p>
        </div>
    }
}

/// Review notes: free text on several lines, stored when the field is left (one undo step);
/// Escape puts back the stored text. Any text is valid.
#[component]
fn NotesField(editor: Editor, target: Target, label: &'static str, help: &'static str) -> impl IntoView {
    let read = {
        let t = target.clone();
        move || editor.design.with_value(|d| t.read(d))
    };
    let text = RwSignal::new(read());
    let dirty = RwSignal::new(false);
    {
        let read = read.clone();
        Effect::new(move |_| {
            editor.rev.track();
            let model = read();
            if !dirty.get_untracked() && text.get_untracked() != model {
                text.set(model);
            }
        });
    }
    let commit = {
        let t = target.clone();
        let read = read.clone();
        move || {
            let Some(value) = text.try_get_untracked() else { return };
            dirty.try_set(false);
            if value != read() {
                if let Ok(cmd) = t.command(&value) {
                    let _ = editor.try_execute(cmd);
                }
            }
        }
    };
    let on_key = {
        let read = read.clone();
        move |ev: web_sys::KeyboardEvent| {
            if ev.key() == "Escape" {
                ev.prevent_default();
                ev.stop_propagation();
                dirty.set(false);
                text.set(read());
            }
        }
    };
    let field_id = target.field_id();
    view! {
        <div class="field notes">
            <label for=field_id.clone()><span class="field-name">{label}</span></label>
            <textarea
                id=field_id
                name=target.name()
                rows="3"
                title=help
                data-testid=target.field_id()
                prop:value=move || text.get()
                on:input=move |ev| {
                    text.set(event_target_value(&ev));
                    dirty.set(true);
                }
                on:change=move |_| commit()
                on:keydown=on_key
            ></textarea>
        </div>
    }
}

/// A choice among fixed values; for properties the first option keeps the default.
#[component]
fn SelectField(editor: Editor, target: Target, label: String, options: Vec<(String, String)>) -> impl IntoView {
    const MIXED: &str = "\u{0}mixed";
    let mixed = {
        let t = target.clone();
        move || {
            editor.rev.track();
            editor.design.with_value(|d| t.mixed(d))
        }
    };
    let value = {
        let t = target.clone();
        let mixed = mixed.clone();
        move || {
            editor.rev.track();
            if mixed() {
                MIXED.to_string()
            } else {
                editor.design.with_value(|d| t.read(d))
            }
        }
    };
    let on_change = {
        let t = target.clone();
        move |ev: web_sys::Event| {
            let v = event_target_value(&ev);
            if v == MIXED {
                return;
            }
            match t.command(&v) {
                Ok(cmd) => editor.execute(cmd),
                Err(e) => editor.alert(e),
            }
        }
    };
    let name = target.name();
    let field_id = target.field_id();
    view! {
        <div class="field">
            <label for=field_id.clone()><span class="field-name">{label}</span></label>
            <select id=field_id name=name prop:value=value on:change=on_change>
                {move || mixed().then(|| view! { <option value=MIXED disabled>"mixed values"</option> })}
                {options
                    .into_iter()
                    .map(|(v, text)| view! { <option value=v>{text}</option> })
                    .collect_view()}
            </select>
        </div>
    }
}

/// A set of values drawn from a fixed list, as checkboxes.
#[component]
fn SetField(editor: Editor, ids: Vec<NodeId>, spec: &'static PropSpec, all: &'static [&'static str]) -> impl IntoView {
    // Each selected node's list.
    let lists = {
        let ids = ids.clone();
        move || {
            editor.rev.track();
            editor.design.with_value(|d| {
                ids.iter()
                    .map(|id| d.node(id).map(|n| n.list(spec.name, d.product)).unwrap_or_default())
                    .collect::<Vec<_>>()
            })
        }
    };
    let boxes = all
        .iter()
        .map(|item| {
            let item: &'static str = item;
            let lists2 = lists.clone();
            let lists3 = lists.clone();
            let lists = lists.clone();
            let checked = move || lists().iter().all(|l| l.iter().any(|s| s == item));
            let partly = move || {
                let l = lists3();
                let some = l.iter().filter(|l| l.iter().any(|s| s == item)).count();
                some > 0 && some < l.len()
            };
            let ids = ids.clone();
            let on_change = move |ev: web_sys::Event| {
                let on = event_target_checked(&ev);
                let cmds = ids
                    .iter()
                    .zip(lists2())
                    .map(|(id, mut list)| {
                        list.retain(|s| s != item);
                        if on {
                            list.push(item.to_string());
                        }
                        // Keep the schema's order so the file reads the same whichever box was clicked.
                        let ordered: Vec<serde_json::Value> = all
                            .iter()
                            .filter(|a| list.iter().any(|s| s == *a))
                            .map(|a| serde_json::Value::from(*a))
                            .collect();
                        Command::SetProp { id: id.clone(), key: spec.name.into(), value: Some(ordered.into()) }
                    })
                    .collect();
                editor.execute(Command::Batch(cmds));
            };
            view! {
                <label class="check">
                    <input type="checkbox" name=spec.name value=item prop:checked=checked prop:indeterminate=partly on:change=on_change />
                    {item}
                </label>
            }
        })
        .collect_view();
    view! {
        <fieldset class="field set">
            <legend><span class="field-name">{spec.name}</span></legend>
            {boxes}
            <p class="hint">"default: " {fields::default_text(spec)}</p>
        </fieldset>
    }
}

fn prop_field(editor: Editor, ids: &[NodeId], spec: &'static PropSpec) -> AnyView {
    let target = Target::Prop(ids.to_vec(), spec);
    match spec.ty {
        PropType::Enum(all) => {
            let default = fields::default_text(spec);
            let mut options = vec![(String::new(), format!("default ({default})"))];
            options.extend(all.iter().map(|v| (v.to_string(), v.to_string())));
            view! { <SelectField editor=editor target=target label=spec.name.to_string() options=options /> }.into_any()
        }
        PropType::Bool => {
            let default = matches!(spec.default, PropDefault::Bool(true));
            let options = vec![
                (String::new(), format!("default ({default})")),
                ("true".to_string(), "true".to_string()),
                ("false".to_string(), "false".to_string()),
            ];
            view! { <SelectField editor=editor target=target label=spec.name.to_string() options=options /> }.into_any()
        }
        PropType::Set(all) => view! { <SetField editor=editor ids=ids.to_vec() spec=spec all=all /> }.into_any(),
        _ => view! {
            <TextField
                editor=editor
                target=target
                label=spec.name.to_string()
                unit=spec.unit
                placeholder=format!("default: {}", fields::default_text(spec))
                help=spec.help
            />
        }
        .into_any(),
    }
}

#[component]
fn NodeForm(editor: Editor, ids: Vec<NodeId>) -> impl IntoView {
    let kinds: Vec<_> = editor.design.with_value(|d| ids.iter().filter_map(|id| d.node(id).map(|n| n.kind)).collect());
    let Some(&kind) = kinds.first() else {
        return ().into_any();
    };
    let one_kind = kinds.iter().all(|k| *k == kind);
    let ids_del = ids.clone();
    let delete = move |_| {
        editor.execute(Command::Batch(ids_del.iter().map(|id| Command::RemoveNode { id: id.clone() }).collect()))
    };
    if let [id] = ids.as_slice() {
        let props = kind.props().iter().map(|spec| prop_field(editor, &ids, spec)).collect_view();
        return view! {
            <h2>{kind.title()} <code class="node-id">{id.to_string()}</code></h2>
            <TextField editor=editor target=Target::Label(id.clone()) label="label".into() unit="" placeholder=id.to_string() help="shown on the canvas" />
            <TextField editor=editor target=Target::Zone(ids.clone()) label="zone".into() unit="" placeholder="such as dmz, app, data".into() help="network zone" />
            <NotesField editor=editor target=Target::Notes(id.clone()) label="notes" help="review notes: shown as a marker on the node, written into the bundle's README and the diagram" />
            <Links editor=editor id=id.clone() />
            <h3>"Properties"</h3>
            {props}
            <button class="danger" data-action="delete" on:click=delete>"Delete node"</button>
        }
        .into_any();
    }
    // Several nodes: one kind edits that kind's properties on all of them; mixed kinds the
    // fields they all have.
    let n = ids.len();
    let heading = if one_kind {
        format!("{n} {} nodes", kind.title().trim_end_matches(" node"))
    } else {
        format!("{n} nodes of different kinds")
    };
    let props = one_kind.then(|| kind.props().iter().map(|spec| prop_field(editor, &ids, spec)).collect_view());
    view! {
        <h2 data-testid="multi-edit">{heading}</h2>
        <p class="hint">"A change applies to every selected node, as one undo step."</p>
        <TextField editor=editor target=Target::Zone(ids.clone()) label="zone".into() unit="" placeholder="such as dmz, app, data".into() help="network zone" />
        {props.map(|p| view! { <h3>"Properties"</h3> {p} })}
        <button class="danger" data-action="delete" on:click=delete>{format!("Delete {n} nodes")}</button>
    }
    .into_any()
}

/// The node's links, and linking without a pointer: a list of the nodes it may be linked to.
#[component]
fn Links(editor: Editor, id: NodeId) -> impl IntoView {
    let choice = RwSignal::new(String::new());
    // One computation per change, read by the list and the choice below.
    let rows = {
        let id = id.clone();
        Memo::new(move |_| {
            editor.rev.track();
            editor.design.with_value(|d| {
                let linked: Vec<(usize, String, String)> = d
                    .links
                    .iter()
                    .enumerate()
                    .filter(|(_, l)| l.from == id || l.to == id)
                    .map(|(i, l)| {
                        let other = if l.from == id { &l.to } else { &l.from };
                        let label = d.node(other).map(|n| n.label.clone()).unwrap_or_default();
                        (i, other.to_string(), label)
                    })
                    .collect();
                let candidates: Vec<(String, String)> = d
                    .nodes
                    .iter()
                    .filter(|n| crate::model::link_refusal(d, &id, &n.id).is_none())
                    .map(|n| (n.id.to_string(), format!("{} ({})", n.label, n.id)))
                    .collect();
                (linked, candidates)
            })
        })
    };
    let id_link = id.clone();
    let link = move |_| {
        let Some(to) = NodeId::parse(&choice.get_untracked()) else { return };
        let index = editor.design.with_value(|d| d.links.len());
        editor.execute(Command::AddLink { link: crate::model::Link::new(id_link.clone(), to), index });
        choice.set(String::new());
    };
    view! {
        <h3>"Links"</h3>
        <ul class="links-list">
            {move || {
                rows.get().0
                    .into_iter()
                    .map(|(index, other, label)| {
                        view! {
                            <li>
                                {format!("{label} ({other})")}
                                <button class="small" data-action="unlink" aria-label=format!("Remove the link to {label}") on:click=move |_| editor.execute(Command::RemoveLink { index })>"×"</button>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <div class="field link-to">
            <label for="field-link-to"><span class="field-name">"link to"</span></label>
            <select id="field-link-to" name="link-to" prop:value=move || choice.get() on:change=move |ev| choice.set(event_target_value(&ev))>
                <option value="">"choose a node…"</option>
                {move || rows.get().1.into_iter().map(|(v, t)| view! { <option value=v>{t}</option> }).collect_view()}
            </select>
            <button data-action="link" on:click=link prop:disabled=move || choice.with(String::is_empty)>"Link"</button>
        </div>
    }
}

#[component]
fn DesignForm(editor: Editor) -> impl IntoView {
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
    let counts = move || {
        editor.rev.track();
        editor.design.with_value(|d| format!("{} nodes, {} links", d.nodes.len(), d.links.len()))
    };
    let selected = move || {
        let n = editor.selected.with(|s| s.len());
        (n > 1).then(|| view! { <p class="hint">{n} " nodes selected: move them together, or Delete"</p> })
    };
    view! {
        <h2>"Design"</h2>
        {selected}
        <TextField editor=editor target=Target::Name label="name".into() unit="" placeholder="Untitled design".into() help="the design's name" />
        <TextField editor=editor target=Target::Owner label="owner".into() unit="" placeholder="the team that answers for it".into() help="who answers for the design: written into the firewall files and the bundle" />
        <NotesField editor=editor target=Target::DesignNotes label="notes" help="review notes on the whole design" />
        <SelectField editor=editor target=Target::Product label="product".into() options=products />
        <TextField editor=editor target=Target::Domain label="cluster domain".into() unit="" placeholder="wso2.ob.km.domain".into() help="Hazelcast clustering domain" />
        <SelectField editor=editor target=Target::Scheme label="membership scheme".into() options=schemes />
        <p class="hint">{counts}</p>
        <Zones editor=editor />
        <Waivers editor=editor />
    }
}

/// The zones: each one's name (renaming it renames the zone of every node in it, one step),
/// and, when a zone is written in more than one way, the offer to merge the spellings.
#[component]
fn Zones(editor: Editor) -> impl IntoView {
    move || {
        editor.rev.track();
        let (frames, variants) = editor.design.with_value(|d| {
            let frames: Vec<(Vec<NodeId>, String)> = zones::frames(d, &|_| false)
                .into_iter()
                .map(|f| (f.nodes.iter().filter_map(|&i| d.nodes.get(i).map(|n| n.id.clone())).collect(), f.name))
                .collect();
            (frames, zones::spelled_differently(d))
        });
        if frames.is_empty() {
            return None;
        }
        let merge = move |_| {
            if let Some(cmd) = editor.design.with_value(zones::merge_spellings) {
                editor.execute(cmd);
            }
        };
        let notice = (!variants.is_empty()).then(|| {
            let said: Vec<String> =
                variants.iter().map(|v| v.iter().map(|s| format!("“{s}”")).collect::<Vec<_>>().join(" and ")).collect();
            view! {
                <p class="zone-notice" role="status" data-testid="zone-case-notice">
                    {format!("Zones {} differ only by case and are drawn as one. ", said.join("; "))}
                    <button data-action="merge-zones" on:click=merge>"Merge"</button>
                </p>
            }
        });
        let fields = frames
            .into_iter()
            .enumerate()
            .map(|(i, (ids, name))| {
                let n = ids.len();
                view! {
                    <TextField
                        editor=editor
                        target=Target::ZoneName(ids, i)
                        label=format!("zone {name}")
                        unit=""
                        placeholder=name.clone()
                        help=if n == 1 { "rename this zone (its node keeps it)" } else { "rename this zone (all its nodes keep it)" }
                    />
                }
            })
            .collect_view();
        Some(view! {
            <h3>"Zones"</h3>
            <p class="hint">"Drag a node into a zone's frame to put it there, out of every frame to take it out."</p>
            {notice}
            {fields}
        })
    }
}

/// Replaces the waiver at `index` with an edited copy, as one step.
fn edit_waiver(editor: &Editor, index: usize, edit: impl FnOnce(&mut Waiver)) {
    let Some(mut w) = editor.design.with_value(|d| d.waivers.get(index).cloned()) else { return };
    edit(&mut w);
    editor.execute(Command::Batch(vec![Command::RemoveWaiver { index }, Command::AddWaiver { waiver: w, index }]));
}

#[component]
fn WaiverRow(editor: Editor, index: usize, waiver: Waiver) -> impl IntoView {
    let target = match &waiver.node {
        Some(n) => format!("{} on {n}", waiver.rule),
        None => waiver.rule.clone(),
    };
    let on_reason = move |ev: web_sys::Event| {
        let v = event_target_value(&ev);
        edit_waiver(&editor, index, |w| w.reason = Some(v));
    };
    let on_expires = move |ev: web_sys::Event| {
        let v = event_target_value(&ev);
        if v.is_empty() {
            edit_waiver(&editor, index, |w| w.expires = None);
        } else if let Some(date) = Date::parse(&v) {
            edit_waiver(&editor, index, |w| w.expires = Some(date));
        } else {
            editor.alert(format!("{v:?} is not a date YYYY-MM-DD"));
        }
    };
    view! {
        <li class="waiver">
            <strong>{target}</strong>
            <div class="field">
                <label><span class="field-name">"reason"</span></label>
                <input type="text" name="waiver-reason" prop:value=waiver.reason.clone().unwrap_or_default() on:change=on_reason />
            </div>
            <div class="field">
                <label><span class="field-name">"expires"</span><span class="unit">"last day it applies"</span></label>
                <input type="date" name="waiver-expires" prop:value=waiver.expires.map(|d| d.to_string()).unwrap_or_default() on:change=on_expires />
            </div>
            <button data-action="remove-waiver" on:click=move |_| editor.execute(Command::RemoveWaiver { index })>"Remove waiver"</button>
        </li>
    }
}

#[component]
fn Waivers(editor: Editor) -> impl IntoView {
    move || {
        editor.rev.track();
        let waivers = editor.design.with_value(|d| d.waivers.clone());
        (!waivers.is_empty()).then(|| {
            view! {
                <h3>"Waivers"</h3>
                <ul class="waivers">
                    {waivers
                        .into_iter()
                        .enumerate()
                        .map(|(index, waiver)| view! { <WaiverRow editor=editor index=index waiver=waiver /> })
                        .collect_view()}
                </ul>
            }
        })
    }
}

/// The inspector panel.
#[component]
pub fn Inspector(editor: Editor, settled: RwSignal<bool>) -> impl IntoView {
    let target = Memo::new(move |_| editor.selected.get());
    // On a narrow screen the panels stack: a selection brings the inspector into view.
    let aside: NodeRef<leptos::html::Aside> = NodeRef::new();
    Effect::new(move |first: Option<()>| {
        let any = editor.selected.with(|s| !s.is_empty());
        let narrow = gloo_utils::window().inner_width().ok().and_then(|w| w.as_f64()).is_some_and(|w| w < 900.0);
        if first.is_some() && any && narrow {
            if let Some(el) = aside.get_untracked() {
                el.scroll_into_view();
            }
        }
    });
    view! {
        <aside node_ref=aside data-testid="inspector" class="inspector" aria-label="Inspector">
            {move || {
                // Its form is drawn once the canvas has shown (the heading stands meanwhile).
                if !settled.get() {
                    return view! { <h2>"Design"</h2> }.into_any();
                }
                let ids = target.get();
                if ids.is_empty() {
                    view! { <DesignForm editor=editor /> }.into_any()
                } else {
                    view! { <NodeForm editor=editor ids=ids /> }.into_any()
                }
            }}
        </aside>
    }
}
