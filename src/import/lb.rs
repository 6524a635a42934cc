//! Load balancer configurations: nginx (`upstream` and `server` blocks) and HAProxy
//! (`frontend` and `backend` sections), read by small tokenizers into what the design holds:
//! the servers routed to, stickiness, the public host name, the TLS port, plain HTTP, and the
//! protocol to the backends. `include`d files are not followed (the report says so).

/// A server a load balancer routes to, and the line it is on.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend {
    /// Host (name or address) as written.
    pub host: String,
    /// Port.
    pub port: u32,
    /// The protocol to it (`https` or `http`).
    pub protocol: &'static str,
    /// Line.
    pub line: usize,
}

/// What a load balancer file says.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Balancer {
    /// `nginx` or `haproxy`.
    pub product: &'static str,
    /// The public host name (nginx `server_name` of the TLS server), and its line.
    pub hostname: Option<(String, usize)>,
    /// The front-end TLS port, and its line.
    pub tls_port: Option<(u32, usize)>,
    /// A plain-HTTP front end that forwards to the nodes, and its line.
    pub http: Option<usize>,
    /// Session affinity, and the line that sets it (`None`: none configured).
    pub sticky: Option<usize>,
    /// The servers the TLS front end routes to (and the HTTP one's).
    pub backends: Vec<Backend>,
    /// `include` directives met (not followed).
    pub includes: Vec<(String, usize)>,
}

/// A word of an nginx file and its line.
#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String, usize),
    Semi,
    Open,
    Close,
}

fn tokens(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut line = 1;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' => line += 1,
            c if c.is_whitespace() => {}
            '#' => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        line += 1;
                        break;
                    }
                }
            }
            ';' => out.push(Token::Semi),
            '{' => out.push(Token::Open),
            '}' => out.push(Token::Close),
            '"' | '\'' => {
                let mut w = String::new();
                for d in chars.by_ref() {
                    if d == c {
                        break;
                    }
                    if d == '\n' {
                        line += 1;
                    }
                    w.push(d);
                }
                out.push(Token::Word(w, line));
            }
            c => {
                let mut w = String::from(c);
                while let Some(&d) = chars.peek() {
                    if d.is_whitespace() || matches!(d, ';' | '{' | '}' | '#') {
                        break;
                    }
                    w.push(d);
                    chars.next();
                }
                out.push(Token::Word(w, line));
            }
        }
    }
    out
}

/// An nginx directive: its name, arguments, line, and block when it has one.
#[derive(Clone, Debug, PartialEq)]
struct Directive {
    name: String,
    args: Vec<String>,
    line: usize,
    block: Vec<Directive>,
}

/// The directives of a token stream, nested by blocks (depth capped; unbalanced braces end
/// the block).
fn directives(toks: &[Token], at: &mut usize, depth: usize) -> Vec<Directive> {
    let mut out = Vec::new();
    let mut words: Vec<(String, usize)> = Vec::new();
    while let Some(t) = toks.get(*at) {
        *at += 1;
        match t {
            Token::Word(w, l) => words.push((w.clone(), *l)),
            Token::Semi => {
                if let Some((name, line)) = words.first().cloned() {
                    out.push(Directive {
                        name,
                        args: words[1..].iter().map(|w| w.0.clone()).collect(),
                        line,
                        block: vec![],
                    });
                }
                words.clear();
            }
            Token::Open => {
                let block = if depth < 16 { directives(toks, at, depth + 1) } else { Vec::new() };
                if let Some((name, line)) = words.first().cloned() {
                    out.push(Directive { name, args: words[1..].iter().map(|w| w.0.clone()).collect(), line, block });
                }
                words.clear();
            }
            Token::Close => break,
        }
    }
    out
}

fn host_port(s: &str) -> Option<(String, u32)> {
    let s = s.trim();
    if let Some(rest) = s.strip_prefix('[') {
        let (h, p) = rest.split_once("]:")?;
        return Some((h.to_string(), p.parse().ok()?));
    }
    let (h, p) = s.rsplit_once(':')?;
    Some((h.to_string(), p.parse().ok()?))
}

/// True for text that looks like an nginx configuration.
pub fn is_nginx(text: &str) -> bool {
    text.contains("upstream") && text.contains('{') || text.contains("proxy_pass")
}

/// True for text that looks like an HAProxy configuration.
pub fn is_haproxy(text: &str) -> bool {
    // Sections start a line (nginx's `listen` is indented inside a block, and nginx has braces).
    !text.contains('{')
        && text.lines().any(|l| l.starts_with("backend ") || l.starts_with("frontend ") || l.starts_with("listen "))
}

/// Reads an nginx configuration.
pub fn nginx(text: &str) -> Balancer {
    let toks = tokens(text);
    let mut at = 0;
    let top = directives(&toks, &mut at, 0);
    // The `http` block's content when there is one, else the top level (a conf.d file).
    let mut all: Vec<Directive> = Vec::new();
    for d in &top {
        if d.name == "http" {
            all.extend(d.block.iter().cloned());
        } else {
            all.push(d.clone());
        }
    }
    let mut b = Balancer { product: "nginx", ..Balancer::default() };
    for d in all.iter().filter(|d| d.name == "include") {
        b.includes.push((d.args.join(" "), d.line));
    }
    let upstreams: Vec<&Directive> = all.iter().filter(|d| d.name == "upstream").collect();
    for s in all.iter().filter(|d| d.name == "server") {
        let listens: Vec<(&Directive, u32, bool)> = s
            .block
            .iter()
            .filter(|d| d.name == "listen")
            .filter_map(|d| {
                let addr = d.args.first()?;
                let port = addr.rsplit(':').next()?.parse().ok()?;
                Some((d, port, d.args.iter().any(|a| a == "ssl")))
            })
            .collect();
        let proxy = s
            .block
            .iter()
            .filter(|d| d.name == "location")
            .flat_map(|l| l.block.iter())
            .chain(s.block.iter())
            .find(|d| d.name == "proxy_pass");
        let Some(proxy) = proxy else { continue };
        let url = proxy.args.first().cloned().unwrap_or_default();
        let (scheme, target) = url.split_once("://").unwrap_or(("http", url.as_str()));
        let protocol = if scheme == "https" { "https" } else { "http" };
        let target = target.split('/').next().unwrap_or(target);
        let servers: Vec<Backend> = match upstreams.iter().find(|u| u.args.first().map(String::as_str) == Some(target))
        {
            Some(u) => {
                if let Some(st) = u.block.iter().find(|d| matches!(d.name.as_str(), "ip_hash" | "sticky" | "hash")) {
                    b.sticky.get_or_insert(st.line);
                }
                u.block
                    .iter()
                    .filter(|d| d.name == "server" && !d.args.iter().any(|a| a == "down"))
                    .filter_map(|d| {
                        let (host, port) = host_port(d.args.first()?)?;
                        Some(Backend { host, port, protocol, line: d.line })
                    })
                    .collect()
            }
            None => host_port(target)
                .map(|(host, port)| vec![Backend { host, port, protocol, line: proxy.line }])
                .unwrap_or_default(),
        };
        match listens.iter().find(|l| l.2) {
            Some((d, port, _)) => {
                b.tls_port.get_or_insert((*port, d.line));
                if let Some(n) = s.block.iter().find(|d| d.name == "server_name") {
                    if let Some(name) = n.args.iter().find(|a| *a != "_") {
                        b.hostname.get_or_insert((name.clone(), n.line));
                    }
                }
            }
            None => {
                if let Some((d, _, _)) = listens.first() {
                    b.http.get_or_insert(d.line);
                }
            }
        }
        b.backends.extend(servers);
    }
    b
}

/// An HAProxy section: its kind, its name, and its lines as (number, words).
type Section = (String, String, Vec<(usize, Vec<String>)>);

/// Reads an HAProxy configuration.
pub fn haproxy(text: &str) -> Balancer {
    let mut b = Balancer { product: "haproxy", ..Balancer::default() };
    let mut sections: Vec<Section> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("");
        let words: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        let Some(first) = words.first() else { continue };
        let starts = !raw.starts_with(char::is_whitespace);
        if starts
            && matches!(
                first.as_str(),
                "global" | "defaults" | "frontend" | "backend" | "listen" | "resolvers" | "peers" | "userlist"
            )
        {
            sections.push((first.clone(), words.get(1).cloned().unwrap_or_default(), Vec::new()));
        } else if let Some(s) = sections.last_mut() {
            s.2.push((i + 1, words));
        }
    }
    let backend_of = |name: &str| sections.iter().find(|s| (s.0 == "backend" || s.0 == "listen") && s.1 == name);
    for (kind, _, lines) in sections.iter().filter(|s| s.0 == "frontend" || s.0 == "listen") {
        let Some((bind_line, bind)) = lines.iter().find(|(_, w)| w.first().map(String::as_str) == Some("bind")) else {
            continue;
        };
        let port = bind.get(1).and_then(|a| a.rsplit(':').next()).and_then(|p| p.parse().ok());
        let tls = bind.iter().any(|w| w == "ssl");
        let target = if kind == "listen" {
            Some(lines)
        } else {
            lines
                .iter()
                .find(|(_, w)| matches!(w.first().map(String::as_str), Some("default_backend" | "use_backend")))
                .and_then(|(_, w)| w.get(1))
                .and_then(|n| backend_of(n))
                .map(|s| &s.2)
        };
        let Some(target) = target else { continue };
        if let Some((l, _)) = target.iter().find(|(_, w)| {
            matches!(w.first().map(String::as_str), Some("cookie" | "stick-table" | "stick"))
                || w.first().map(String::as_str) == Some("balance") && w.get(1).map(String::as_str) == Some("source")
        }) {
            b.sticky.get_or_insert(*l);
        }
        for (l, w) in target.iter().filter(|(_, w)| w.first().map(String::as_str) == Some("server")) {
            let Some((host, p)) = w.get(2).and_then(|a| host_port(a)) else { continue };
            if w.iter().any(|x| x == "disabled") {
                continue;
            }
            let protocol = if w.iter().any(|x| x == "ssl") { "https" } else { "http" };
            b.backends.push(Backend { host, port: p, protocol, line: *l });
        }
        match (port, tls) {
            (Some(p), true) => {
                b.tls_port.get_or_insert((p, *bind_line));
            }
            (Some(_), false) => {
                b.http.get_or_insert(*bind_line);
            }
            _ => {}
        }
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nginx_with_comments_includes_and_several_upstreams() {
        let text = r#"
# a comment { with braces }
include /etc/nginx/mime.types;
upstream other { server 10.9.9.9:80; }
upstream km {
    ip_hash; # sticky
    server 10.0.1.11:9446 max_fails=3;
    server "km2.bank.internal:9446";
    server 10.0.1.13:9446 down;
}
server {
    listen 80;
    return 301 https://$host$request_uri;
}
server {
    listen [::]:8443 ssl http2;
    server_name km.bank.example;
    location / { proxy_pass https://km; }
}
"#;
        let b = nginx(text);
        assert_eq!(b.hostname.as_ref().map(|h| h.0.as_str()), Some("km.bank.example"));
        assert_eq!(b.tls_port.map(|p| p.0), Some(8443));
        assert!(b.sticky.is_some());
        assert_eq!(b.http, None, "a redirect is not plain HTTP to the nodes");
        assert_eq!(
            b.backends.iter().map(|s| (s.host.as_str(), s.port)).collect::<Vec<_>>(),
            vec![("10.0.1.11", 9446), ("km2.bank.internal", 9446)]
        );
        assert_eq!(b.includes.len(), 1);
        assert_eq!(b.backends[0].line, 7);
    }

    #[test]
    fn haproxy_frontends_and_backends() {
        let text = "global\n    maxconn 10\nfrontend https\n    bind :443 ssl crt x.pem\n    default_backend km\nbackend km\n    balance roundrobin\n    cookie JSESSIONID prefix\n    server km1 10.0.1.11:9446 check cookie km1 ssl verify none\n    server km2 10.0.1.12:9446 check ssl\n";
        let b = haproxy(text);
        assert_eq!(b.tls_port.map(|p| p.0), Some(443));
        assert!(b.sticky.is_some());
        assert_eq!(b.backends.len(), 2);
        assert_eq!(b.backends[0].protocol, "https");
        assert!(is_haproxy(text) && !is_nginx(text));
    }
}
