//! Kubernetes Ingress manifests (`networking.k8s.io/v1`, ingress-nginx annotations) read into
//! the load balancer shape the nginx and HAProxy readers give: the public host name, TLS, plain
//! HTTP, cookie affinity, the protocol to the backends, and the Services it routes to (a
//! Service's pods are not in the manifest: the builder links the Key Manager nodes that serve
//! the Service's port, and says so).
//!
//! YAML is read with `yaml-rust2`'s event parser into a small tree of our own with the line of
//! every value. Aliases are refused (nothing is expanded: no "billion laughs"), and the tree is
//! capped in size; a file of several documents (`---`) may hold several Ingresses and other
//! kinds, which are passed over.

use yaml_rust2::parser::{Event, Parser};

use super::lb::{Backend, Balancer};
use super::xml::Unreadable;

/// The most values a YAML file may hold (an Ingress has a few dozen).
const MAX_VALUES: usize = 100_000;
/// The deepest nesting read.
const MAX_DEPTH: usize = 64;

/// A YAML value with the line it starts on.
#[derive(Clone, Debug, PartialEq)]
enum Y {
    Map(Vec<(String, Y)>, usize),
    Seq(Vec<Y>, usize),
    Str(String, usize),
}

impl Y {
    fn get(&self, key: &str) -> Option<&Y> {
        match self {
            Y::Map(m, _) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }
    fn path(&self, keys: &[&str]) -> Option<&Y> {
        keys.iter().try_fold(self, |y, k| y.get(k))
    }
    fn str(&self) -> Option<&str> {
        match self {
            Y::Str(s, _) => Some(s),
            _ => None,
        }
    }
    fn items(&self) -> &[Y] {
        match self {
            Y::Seq(v, _) => v,
            _ => &[],
        }
    }
    fn line(&self) -> usize {
        match self {
            Y::Map(_, l) | Y::Seq(_, l) | Y::Str(_, l) => *l,
        }
    }
}

/// A container being built: a map (with the key waiting for its value) or a sequence.
enum Open {
    Map(Vec<(String, Y)>, Option<String>, usize),
    Seq(Vec<Y>, usize),
}

/// The documents of a YAML text, each as a tree; an error names the line.
fn documents(text: &str) -> Result<Vec<Y>, Unreadable> {
    let mut parser = Parser::new_from_str(text);
    let mut docs = Vec::new();
    let mut stack: Vec<Open> = Vec::new();
    let mut count = 0usize;
    loop {
        let (event, mark) = parser.next_token().map_err(|e| Unreadable {
            reason: format!("not valid YAML: {}", e.info()),
            line: Some(e.marker().line()),
        })?;
        let line = mark.line().max(1);
        count += 1;
        if count > MAX_VALUES {
            return Err(Unreadable { reason: format!("more than {MAX_VALUES} YAML values"), line: Some(line) });
        }
        let done: Option<Y> = match event {
            Event::StreamEnd => break,
            Event::Alias(_) => {
                return Err(Unreadable {
                    reason: "a YAML alias (aliases are not expanded by the import)".into(),
                    line: Some(line),
                })
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(Unreadable {
                        reason: format!("YAML nested deeper than {MAX_DEPTH}"),
                        line: Some(line),
                    });
                }
                stack.push(if matches!(event, Event::MappingStart(..)) {
                    Open::Map(Vec::new(), None, line)
                } else {
                    Open::Seq(Vec::new(), line)
                });
                None
            }
            Event::MappingEnd => match stack.pop() {
                Some(Open::Map(m, _, l)) => Some(Y::Map(m, l)),
                _ => return Err(Unreadable { reason: "unbalanced YAML".into(), line: Some(line) }),
            },
            Event::SequenceEnd => match stack.pop() {
                Some(Open::Seq(v, l)) => Some(Y::Seq(v, l)),
                _ => return Err(Unreadable { reason: "unbalanced YAML".into(), line: Some(line) }),
            },
            Event::Scalar(s, ..) => Some(Y::Str(s, line)),
            Event::Nothing | Event::StreamStart | Event::DocumentStart | Event::DocumentEnd => None,
        };
        let Some(value) = done else { continue };
        match stack.last_mut() {
            None => docs.push(value),
            Some(Open::Seq(v, _)) => v.push(value),
            Some(Open::Map(m, key, _)) => match key.take() {
                Some(k) => m.push((k, value)),
                // A key that is not text (a map or a list as a key) is kept as empty text.
                None => *key = Some(value.str().unwrap_or_default().to_string()),
            },
        }
    }
    Ok(docs)
}

/// True for YAML text that holds an Ingress (a cheap look before parsing).
pub fn looks_like_ingress(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l.strip_prefix("kind:").is_some_and(|k| k.trim().trim_matches(['"', '\'']) == "Ingress")
    })
}

/// The Ingresses of a manifest file.
pub fn ingresses(text: &str) -> Result<Vec<Balancer>, Unreadable> {
    let mut out = Vec::new();
    for doc in documents(text)? {
        // A `List` of items is what `kubectl get -o yaml` writes.
        let items: Vec<&Y> = if doc.get("kind").and_then(Y::str) == Some("List") {
            doc.get("items").map(|i| i.items().iter().collect()).unwrap_or_default()
        } else {
            vec![&doc]
        };
        for y in items {
            if y.get("kind").and_then(Y::str) == Some("Ingress") {
                out.push(ingress(y));
            }
        }
    }
    Ok(out)
}

/// ingress-nginx's annotation `name`, and its line.
fn annotation<'a>(y: &'a Y, name: &str) -> Option<(&'a str, usize)> {
    let a = y.path(&["metadata", "annotations"])?;
    let v = a.get(&format!("nginx.ingress.kubernetes.io/{name}"))?;
    Some((v.str()?.trim(), v.line()))
}

fn ingress(y: &Y) -> Balancer {
    let mut b = Balancer { product: "k8s-ingress", ..Balancer::default() };
    let spec = y.get("spec");
    let tls = spec.and_then(|s| s.get("tls")).filter(|t| !t.items().is_empty());
    let rules = spec.and_then(|s| s.get("rules")).map(Y::items).unwrap_or_default();
    // The public host name: the first rule's host, else the TLS section's first host.
    b.hostname = rules
        .iter()
        .find_map(|r| r.get("host").and_then(|h| Some((h.str()?.to_string(), h.line()))))
        .or_else(|| {
            let h = tls?.items().first()?.get("hosts")?.items().first()?;
            Some((h.str()?.to_string(), h.line()))
        })
        .filter(|(h, _)| !h.is_empty());
    if let Some(t) = tls {
        b.tls_port = Some((443, t.line()));
    }
    // With TLS, ingress-nginx redirects plain HTTP unless told not to; without TLS, it serves it.
    let redirect = annotation(y, "ssl-redirect").or_else(|| annotation(y, "force-ssl-redirect"));
    b.http = match (tls, redirect) {
        (None, _) => Some(spec.map(Y::line).unwrap_or(1)),
        (Some(_), Some((v, line))) if v.eq_ignore_ascii_case("false") => Some(line),
        _ => None,
    };
    b.sticky = annotation(y, "affinity").filter(|(v, _)| v.eq_ignore_ascii_case("cookie")).map(|(_, l)| l);
    let protocol = match annotation(y, "backend-protocol") {
        Some((v, _)) if v.eq_ignore_ascii_case("https") || v.eq_ignore_ascii_case("grpcs") => "https",
        _ => "http",
    };
    let service = |s: &Y| -> Option<Backend> {
        let name = s.get("name")?.str()?.to_string();
        let port = s.path(&["port", "number"])?;
        Some(Backend { host: name, port: port.str()?.trim().parse().ok()?, protocol, line: port.line() })
    };
    for r in rules {
        for p in r.path(&["http", "paths"]).map(Y::items).unwrap_or_default() {
            if let Some(s) = p.path(&["backend", "service"]).and_then(service) {
                if !b.backends.iter().any(|x| x.host == s.host && x.port == s.port) {
                    b.backends.push(s);
                }
            }
        }
    }
    if let Some(s) = spec.and_then(|s| s.path(&["defaultBackend", "service"])).and_then(service) {
        if !b.backends.iter().any(|x| x.host == s.host && x.port == s.port) {
            b.backends.push(s);
        }
    }
    b
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_chart_style_ingress_reads_as_a_load_balancer() {
        let text = "\
# from a chart
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: km
  annotations:
    nginx.ingress.kubernetes.io/backend-protocol: \"HTTPS\"
    nginx.ingress.kubernetes.io/affinity: cookie
spec:
  tls:
    - hosts: [km.ob.example]
      secretName: tls
  rules:
    - host: km.ob.example
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: km-service
                port:
                  number: 9446
---
apiVersion: v1
kind: Service
metadata: {name: km-service}
";
        let b = ingresses(text).unwrap();
        assert_eq!(b.len(), 1);
        let b = &b[0];
        assert_eq!(b.product, "k8s-ingress");
        assert_eq!(b.hostname, Some(("km.ob.example".into(), 14)));
        assert_eq!(b.tls_port, Some((443, 11)));
        assert_eq!(b.http, None);
        assert_eq!(b.sticky, Some(8));
        assert_eq!(b.backends, vec![Backend { host: "km-service".into(), port: 9446, protocol: "https", line: 23 }]);
    }

    #[test]
    fn without_tls_or_with_the_redirect_off_plain_http_is_served() {
        let plain =
            "kind: Ingress\nspec:\n  defaultBackend:\n    service:\n      name: s\n      port:\n        number: 9763\n";
        let b = &ingresses(plain).unwrap()[0];
        assert_eq!((b.tls_port, b.http, b.sticky), (None, Some(3), None));
        assert_eq!(b.backends[0].protocol, "http");
        let off = "kind: Ingress\nmetadata:\n  annotations:\n    nginx.ingress.kubernetes.io/ssl-redirect: \"false\"\nspec:\n  tls:\n  - hosts: [a.example]\n";
        let b = &ingresses(off).unwrap()[0];
        assert_eq!((b.tls_port, b.http), (Some((443, 7)), Some(4)));
        assert_eq!(b.hostname, Some(("a.example".into(), 7)));
    }

    #[test]
    fn aliases_bad_yaml_and_depth_are_refused_with_their_line() {
        let laughs = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\nkind: Ingress\n";
        let e = ingresses(laughs).unwrap_err();
        assert!(e.reason.contains("alias"), "{e:?}");
        assert_eq!(e.line, Some(2));
        let e = ingresses("kind: Ingress\nspec: [unclosed\n").unwrap_err();
        assert!(e.reason.starts_with("not valid YAML"), "{e:?}");
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        assert!(ingresses(&deep).unwrap_err().reason.contains("deeper"));
        assert!(ingresses("").unwrap().is_empty());
        assert!(ingresses("kind: Service\n").unwrap().is_empty());
        // Values of the wrong shape are passed over, never a panic.
        let odd = "kind: Ingress\nspec:\n  rules: 7\n  tls: {a: b}\n  defaultBackend: {service: {name: [1], port: {number: x}}}\n";
        let b = &ingresses(odd).unwrap()[0];
        assert!(b.backends.is_empty());
    }
}
