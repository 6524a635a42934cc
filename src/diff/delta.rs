//! `firewall --since`: the firewall change request between two designs. CSV and Markdown list
//! the flows opened and closed with a `change` column after the flow list's columns; nft and
//! iptables files for one host load on top of that host's previous ruleset: they add the
//! opened flows before the ruleset's drop rules, and list each closed flow above as a comment
//! with the command that removes it.

use super::flow_delta;
use crate::export::escape::{hash_comment, markdown_cell};
use crate::export::firewall::{
    csv_row, header_comment, iptables_rules, missing_ip_warning, nft_rules, no_drop_notice, service_ports, CSV_HEADER,
};
use crate::export::flows::{flows, Flow};
use crate::export::FirewallFormat;
use crate::model::{Date, Design};

/// The change request in one format; nft and iptables need `node` (a node of either design),
/// csv and md take it to keep the flows touching that node.
pub fn render(
    old: &Design,
    new: &Design,
    format: FirewallFormat,
    node: Option<&str>,
    today: Date,
) -> Result<String, String> {
    if let Some(n) = node {
        if !old.nodes.iter().chain(&new.nodes).any(|x| x.id.as_str() == n) {
            return Err(format!("neither design has a node {n:?}"));
        }
    }
    let (fa, fb) = (flows(old), flows(new));
    let (mut opened, mut closed) = flow_delta(&fa, &fb);
    if let Some(n) = node {
        let touching = |f: &Flow| f.source == n || f.destination == n;
        opened.retain(touching);
        closed.retain(touching);
    }
    Ok(match (format, node) {
        (FirewallFormat::Csv, _) => csv(&opened, &closed),
        (FirewallFormat::Markdown, _) => markdown(old, new, &opened, &closed, today),
        (FirewallFormat::Nft, Some(n)) => nftables(old, new, (&fa, &fb), (&opened, &closed), n, today),
        (FirewallFormat::Iptables, Some(n)) => iptables(old, new, (&fa, &fb), (&opened, &closed), n, today),
        (FirewallFormat::Nft | FirewallFormat::Iptables, None) => {
            return Err("nft and iptables changes are per host: give --node <id>".into())
        }
        (FirewallFormat::Terraform, _) => {
            return Err("--since renders csv, md, nft or iptables (Terraform plans its own changes: apply the new security-groups.tf)".into())
        }
    })
}

/// CSV (RFC 4180): the flow list's header and a `change` column; opened flows (`added`),
/// then closed ones (`removed`).
pub fn csv(opened: &[Flow], closed: &[Flow]) -> String {
    let mut out = format!("{CSV_HEADER},change\r\n");
    for (change, list) in [("added", opened), ("removed", closed)] {
        for f in list {
            csv_row(&mut out, f);
            out.push(',');
            out.push_str(change);
            out.push_str("\r\n");
        }
    }
    out
}

/// Markdown: one table, the flow list's columns then `change`.
pub fn markdown(old: &Design, new: &Design, opened: &[Flow], closed: &[Flow], today: Date) -> String {
    let mut out = format!("# Firewall change request: {} → {}\n\n", markdown_cell(&old.name), markdown_cell(&new.name));
    out.push_str(&crate::export::firewall::provenance_markdown(new, &crate::export::firewall::Stamp::of(new, today)));
    out.push_str(&format!(
        "Since: **{}**, sha256 `{}`.\n\n{} flow(s) to open, {} to close.\n\n",
        markdown_cell(&old.name),
        crate::model::format::content_hash(old),
        opened.len(),
        closed.len()
    ));
    out.push_str("| id | source | source address | source zone | destination | destination address | destination zone | protocol | port | service | purpose | required | rule | change |\n");
    out.push_str("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (change, list) in [("added", opened), ("removed", closed)] {
        for f in list {
            let cells: [&str; 14] = [
                &markdown_cell(&f.id),
                &markdown_cell(&f.source),
                &markdown_cell(&f.source_address),
                &markdown_cell(&f.source_zone),
                &markdown_cell(&f.destination),
                &markdown_cell(&f.destination_address),
                &markdown_cell(&f.destination_zone),
                f.protocol,
                &f.port.to_string(),
                f.service,
                &markdown_cell(&f.purpose),
                f.required,
                f.rule,
                change,
            ];
            crate::export::firewall::markdown_row(&mut out, &cells);
        }
    }
    out
}

/// The ports a host's full ruleset drops for other sources (none when it is written without
/// drop rules).
fn dropped(all: &[Flow], node: &str, proto: &str) -> Vec<u32> {
    if !no_drop_notice(all, node).is_empty() {
        return Vec::new();
    }
    let inbound: Vec<&Flow> = all.iter().filter(|f| f.destination == node).collect();
    service_ports(&inbound, proto)
}

/// Per protocol (tcp, udp): the ports to start dropping (served now, not before) and those no
/// longer served.
fn port_changes(fa: &[Flow], fb: &[Flow], node: &str) -> [(&'static str, Vec<u32>, Vec<u32>); 2] {
    ["tcp", "udp"].map(|proto| {
        let (before, after) = (dropped(fa, node, proto), dropped(fb, node, proto));
        (
            proto,
            after.iter().filter(|p| !before.contains(p)).copied().collect(),
            before.iter().filter(|p| !after.contains(p)).copied().collect(),
        )
    })
}

/// For a node the old design does not have: there is no previous ruleset to change.
fn new_node_note(old: &Design, node: &str, format: &str) -> String {
    if old.nodes.iter().any(|n| n.id.as_str() == node) {
        return String::new();
    }
    format!(
        "# {node} is new in this design: it has no previous ruleset; load its full one instead\n#   (obkm-topology firewall <design> --format {format} --node {node}).\n"
    )
}

fn preamble(old: &Design, new: &Design, what: &str, (opened, closed): (usize, usize), today: Date) -> String {
    let mut out = header_comment(new, what, &crate::export::firewall::Stamp::of(new, today));
    out.push_str(&format!(
        "# Changes since the design {:?} (sha256 {}): {opened} flow(s) to admit, {closed} to remove.\n",
        hash_comment(&old.name),
        crate::model::format::content_hash(old)
    ));
    out
}

/// An nftables file that loads on top of the host's previous ruleset (`nft -f FILE`): the
/// table and chain declared as the full ruleset declares them (declaring adds nothing and
/// removes nothing), each opened flow inserted at the top of the chain (before its drop
/// rules), new service ports dropped for other sources at its end.
pub fn nftables(
    old: &Design,
    new: &Design,
    (fa, fb): (&[Flow], &[Flow]),
    (opened, closed): (&[Flow], &[Flow]),
    node: &str,
    today: Date,
) -> String {
    let opened: Vec<&Flow> = opened.iter().filter(|f| f.destination == node).collect();
    let closed: Vec<&Flow> = closed.iter().filter(|f| f.destination == node).collect();
    let mut out = preamble(old, new, &format!("nftables changes for {node}"), (opened.len(), closed.len()), today);
    out.push_str(
        "# Check with `nft -c -f FILE`; load with `nft -f FILE` on the host that runs the previous ruleset.\n",
    );
    out.push_str(&new_node_note(old, node, "nft"));
    for f in &closed {
        let rules = nft_rules(f);
        if rules.is_empty() {
            out.push_str(&format!(
                "# Closed {}: its source had no IP, so the previous ruleset holds it only as a comment\n",
                hash_comment(&f.id)
            ));
        }
        // The whole rule, not the comment alone: a flow whose source moved keeps its id.
        for rule in rules {
            out.push_str(&format!("# Closed {}: find its handle with\n", hash_comment(&f.id)));
            out.push_str(&format!("#   nft -a list chain inet obkm input | grep -F '{rule}'\n"));
            out.push_str("# and remove it with\n#   nft delete rule inet obkm input handle <HANDLE>\n");
        }
    }
    let ports = port_changes(fa, fb, node);
    let gone: Vec<String> =
        ports.iter().flat_map(|(proto, _, removed)| removed.iter().map(move |p| format!("{proto}/{p}"))).collect();
    if !gone.is_empty() {
        out.push_str(&format!(
            "# Ports no longer served ({}) stay in the drop rule until the full ruleset is loaded again.\n",
            gone.join(", ")
        ));
    }
    out.push_str(
        "table inet obkm {\n\tchain input {\n\t\ttype filter hook input priority filter; policy accept;\n\t}\n}\n",
    );
    // `insert` puts a rule at the top: inserting in reverse keeps the flows in their order.
    for f in opened.iter().rev() {
        let rules = nft_rules(f);
        if rules.is_empty() {
            out.push_str(&missing_ip_warning(f, ""));
            out.push_str(&format!("# insert rule inet obkm input {}\n", crate::export::firewall::nft_placeholder(f)));
        }
        for rule in rules.iter().rev() {
            out.push_str(&format!("insert rule inet obkm input {rule}\n"));
        }
    }
    for (proto, added, _) in &ports {
        if !added.is_empty() {
            let list: Vec<String> = added.iter().map(u32::to_string).collect();
            out.push_str(&format!(
                "add rule inet obkm input {proto} dport {{ {} }} drop comment \"obkm: other sources\"\n",
                list.join(", ")
            ));
        }
    }
    out
}

/// An `iptables-restore --noflush` file that loads on top of the host's previous ruleset: the
/// opened flows inserted at the top of `OBKM-INPUT` (before its drop rules), new service ports
/// dropped at its end. The chain is not declared: `iptables-restore --noflush` empties a chain
/// that a file declares, which would throw the previous rules away.
pub fn iptables(
    old: &Design,
    new: &Design,
    (fa, fb): (&[Flow], &[Flow]),
    (opened, closed): (&[Flow], &[Flow]),
    node: &str,
    today: Date,
) -> String {
    let opened: Vec<&Flow> = opened.iter().filter(|f| f.destination == node).collect();
    let closed: Vec<&Flow> = closed.iter().filter(|f| f.destination == node).collect();
    let mut out = preamble(old, new, &format!("iptables changes for {node}"), (opened.len(), closed.len()), today);
    out.push_str(
        "# Check with `iptables-restore --test FILE`; load with `iptables-restore --noflush FILE` on the host\n",
    );
    out.push_str("# that runs the previous ruleset. OBKM-INPUT is not declared here: declaring it would empty it.\n");
    out.push_str(&new_node_note(old, node, "iptables"));
    for f in &closed {
        let rules = iptables_rules(f);
        if rules.is_empty() {
            out.push_str(&format!(
                "# Closed {}: its source had no IP, so the previous ruleset holds it only as a comment\n",
                hash_comment(&f.id)
            ));
        }
        for rule in rules {
            match rule {
                Ok(spec) => out.push_str(&format!("# Closed {}: iptables -D OBKM-INPUT {spec}\n", hash_comment(&f.id))),
                Err(v6) => out.push_str(&format!("# Closed {}: ip6tables -D OBKM-INPUT {v6}\n", hash_comment(&f.id))),
            }
        }
    }
    out.push_str("*filter\n");
    let mut at = 1;
    for f in &opened {
        let rules = iptables_rules(f);
        if rules.is_empty() {
            out.push_str(&missing_ip_warning(f, ""));
            out.push_str(&format!(
                "# -I OBKM-INPUT 1 -s <SOURCE-IP-OF-{}> -p {1} -m {1} --dport {2} -j ACCEPT\n",
                f.source, f.protocol, f.port
            ));
        }
        for rule in rules {
            match rule {
                Ok(spec) => {
                    // `-s a,b` inserts one rule per address: the next position moves by each.
                    out.push_str(&format!("-I OBKM-INPUT {at} {spec}\n"));
                    at += f.source_ips.iter().filter(|a| !a.contains(':')).count().max(1);
                }
                Err(v6) => out.push_str(&format!("# IPv6 (for ip6tables): -I OBKM-INPUT 1 {v6}\n")),
            }
        }
    }
    for (proto, added, removed) in port_changes(fa, fb, node) {
        for chunk in added.chunks(15) {
            let list: Vec<String> = chunk.iter().map(u32::to_string).collect();
            out.push_str(&format!(
                "-A OBKM-INPUT -p {proto} -m multiport --dports {} -m comment --comment \"obkm: other sources\" -j DROP\n",
                list.join(",")
            ));
        }
        if !removed.is_empty() {
            let list: Vec<String> = removed.iter().map(u32::to_string).collect();
            out.push_str(&format!(
                "# {proto} ports no longer served ({}) stay in the drop rules until the full ruleset is loaded again\n",
                list.join(", ")
            ));
        }
    }
    out.push_str("COMMIT\n");
    out
}
