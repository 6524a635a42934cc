//! Finding nodes by what people remember of them: the id, the label, an address (ip, host
//! name, host) or the zone, without case. Pure; the canvas's search box asks it.

use super::design::Design;
use super::schema::Product;

/// A node that matches, and what matched (shown beside it in the results).
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// Index into the design's nodes.
    pub node: usize,
    /// Which field matched: `id`, `label`, `ip`, `hostname`, `host` or `zone`.
    pub field: &'static str,
    /// That field's text.
    pub text: String,
}

/// The nodes whose id, label, address or zone contains `query` (without ASCII case), best first:
/// whole matches before prefixes before the rest, then in design order; at most `max`.
pub fn find(d: &Design, query: &str, max: usize) -> Vec<Hit> {
    let q = query.trim().to_ascii_lowercase();
    if q.is_empty() {
        return Vec::new();
    }
    let mut hits: Vec<(u8, Hit)> = Vec::new();
    for (i, n) in d.nodes.iter().enumerate() {
        let mut fields: Vec<(&'static str, String)> = vec![("id", n.id.to_string()), ("label", n.label.clone())];
        for key in ["ip", "hostname", "host"] {
            if n.kind.prop(key).is_some() {
                let v = n.str(key, Product::ObKm15);
                if !v.is_empty() {
                    fields.push((key, v));
                }
            }
        }
        fields.push(("zone", n.zone.clone()));
        let best = fields
            .into_iter()
            .filter_map(|(field, text)| {
                let t = text.to_ascii_lowercase();
                let rank = if t == q {
                    0
                } else if t.starts_with(&q) {
                    1
                } else if t.contains(&q) {
                    2
                } else {
                    return None;
                };
                Some((rank, Hit { node: i, field, text }))
            })
            .min_by_key(|(rank, _)| *rank);
        if let Some(b) = best {
            hits.push(b);
        }
    }
    super::order::sort_by_key(&mut hits, |(rank, h)| (*rank, h.node));
    hits.into_iter().take(max).map(|(_, h)| h).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::templates;

    #[test]
    fn finds_by_address_label_id_and_zone() {
        let d = templates::design("ha-two-zones").and_then(Result::ok).unwrap_or_default();
        let node = |h: &Hit| d.nodes[h.node].id.to_string();
        let by_ip = find(&d, "10.0.2.12", 5);
        assert_eq!(by_ip.iter().map(node).collect::<Vec<_>>(), vec!["km-4"]);
        assert_eq!(by_ip[0].field, "ip");
        assert_eq!(find(&d, "LDAP", 5).first().map(node).as_deref(), Some("ldap-1"));
        assert!(find(&d, "zone-b", 10).iter().all(|h| h.field == "zone"));
        assert_eq!(find(&d, "km-1", 10).first().map(node).as_deref(), Some("km-1"), "the whole id first");
        assert!(find(&d, "  ", 5).is_empty());
        assert_eq!(find(&d, "km", 2).len(), 2);
    }
}
