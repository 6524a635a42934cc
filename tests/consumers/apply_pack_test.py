#!/usr/bin/env python3
"""What a node gets from a bundle, applied with apply-config.py to a copy of the real pack.

    python3 tests/consumers/apply_pack_test.py BUNDLE_DIR WSO2_PACK_DIR NODE

WSO2_PACK_DIR is ../shared/wso2-pack (ob-km-1.5, ob-am-1.5, ob-iam-2.0 beside each other);
the product comes from the bundle's design.json, and an api-manager node is applied to
ob-am-1.5. Every placeholder of the node's patches is set in the environment first.

- OB KM 1.x: no `localhost` is left outside comments in identity.xml,
  application-authentication.xml and finance/open-banking.xml, but where the host table of
  ARCHITECTURE.md says so (the node's own X509 servlet on 8443; analytics when the design
  has none); every patched file parses.
- OB IAM 2.0: deployment.toml parses with tomllib; every key path of the shipped file is still
  there with its value unless the design decides it; the decided keys hold the design's
  values; no `localhost` is left outside comments (analytics aside when there is none).
- API Manager: the three ServerURLs point at the Key Manager's load balancer.
- Re-applying changes nothing (`--check` exits 0).
Exit status 1 on any failure.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ET

failures = []
PLACEHOLDER = re.compile(r"@@(OBKM_[A-Z0-9_]+)@@")
ANALYTICS_PORTS = ("7612", "7712", "8006", "8007", "9444")


def check(cond, msg):
    if not cond:
        failures.append(msg)


def run(bundle, node, home, env, *extra):
    e = dict(os.environ)
    e.update(env)
    return subprocess.run([sys.executable, os.path.join(bundle, "apply", "apply-config.py"), "--node", node,
                           "--home", home] + list(extra), capture_output=True, text=True, env=e)


def without_comments(text, hash_comments):
    if hash_comments:
        return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("#"))
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def leftover_localhost(text, has_analytics, hash_comments=False):
    left = []
    for m in re.finditer(r"localhost(:(\d+))?", without_comments(text, hash_comments)):
        port = m.group(2)
        if port == "8443":
            continue  # the node's own X509 certificate servlet
        if port in ANALYTICS_PORTS and not has_analytics:
            continue
        left.append(m.group(0))
    return left


def flatten(value, path=()):
    """Every leaf of a TOML document as (path, value); arrays of tables by index."""
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, path + (k,)))
    elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
        for i, v in enumerate(value):
            out.update(flatten(v, path + (i,)))
    else:
        out[path] = value
    return out


def decided_path(doc, patch):
    path = tuple(patch["toml_table"].split("."))
    if patch.get("toml_array"):
        node = doc
        for part in path:
            node = node[part]
        ((k, v),) = patch["toml_match"].items()
        index = next(i for i, t in enumerate(node) if t.get(k) == v)
        path = path + (index,)
    return path + tuple(patch["key"].split("."))


def main(bundle, packs, node):
    design = json.load(open(os.path.join(bundle, "design.json")))
    me = next(n for n in design["nodes"] if n["id"] == node)
    kind = me["kind"]
    product = design.get("product", "ob-km-1.5")
    folder = os.path.join(bundle, "api-manager" if kind == "api-manager" else "key-manager", node)
    patches = json.load(open(os.path.join(folder, "patches.json")))
    names = set()
    for root, _, files in os.walk(folder):
        for f in files:
            names.update(PLACEHOLDER.findall(open(os.path.join(root, f), encoding="utf-8").read()))
    env = {n: ("s3cr<e>t&\"'" if n.endswith("PASSWORD") else "value-of-" + n.lower()) for n in names}
    linked = {l["to"] if l["from"] == node else l["from"] for l in design["links"] if node in (l["from"], l["to"])}
    has_analytics = any(n["kind"] == "analytics" and n["id"] in linked for n in design["nodes"])
    pack = {"api-manager": "ob-am-1.5"}.get(kind, "ob-iam-2.0" if product == "ob-iam-2.0" else "ob-km-1.5")
    with tempfile.TemporaryDirectory() as tmp:
        home = os.path.join(tmp, "pack")
        shutil.copytree(os.path.join(packs, pack), home)
        shipped = {p["file"]: open(os.path.join(home, p["file"]), "rb").read() for p in patches}
        r = run(bundle, node, home, env)
        check(r.returncode == 0, "apply failed (%d): %s%s" % (r.returncode, r.stdout, r.stderr))
        for rel in shipped:
            text = open(os.path.join(home, rel), encoding="latin-1").read()
            check(not PLACEHOLDER.search(text), rel + ": a placeholder is left")
            if rel.endswith(".xml"):
                try:
                    ET.fromstring(text.encode("latin-1"))
                except ET.ParseError as e:
                    failures.append("%s: does not parse: %s" % (rel, e))
        if kind == "api-manager":
            am = ET.parse(os.path.join(home, "repository/conf/api-manager.xml")).getroot()
            lbs = [n for n in design["nodes"] if n["kind"] == "load-balancer" and n["props"].get("hostname")]
            want = "https://%s:%d${carbon.context}services/" % (lbs[0]["props"]["hostname"], lbs[0]["props"].get("tls_port", 443))
            for path in ("AuthManager/ServerURL", "APIKeyValidator/ServerURL", "APIKeyManager/Configuration/ServerURL"):
                check(am.findtext(path) == want, "api-manager.xml %s is %r, want %r" % (path, am.findtext(path), want))
        elif product == "ob-iam-2.0":
            rel = "repository/conf/deployment.toml"
            before = tomllib.loads(shipped[rel].decode("utf-8"))
            text = open(os.path.join(home, rel), encoding="utf-8").read()
            try:
                after = tomllib.loads(text)
            except tomllib.TOMLDecodeError as e:
                failures.append("deployment.toml does not parse: %s" % e)
                after = {}
            decided = {}
            for p in patches:
                decided[decided_path(before if p.get("toml_array") else after, p)] = tomllib.loads("v = " + p["value"])["v"]
            flat_before, flat_after = flatten(before), flatten(after)
            for path, value in flat_before.items():
                if path in decided:
                    continue
                check(flat_after.get(path, "<missing>") == value, "deployment.toml %s changed: %r -> %r"
                      % (".".join(map(str, path)), value, flat_after.get(path, "<missing>")))
            for path, value in decided.items():
                got = flat_after.get(path, "<missing>")
                if isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
                    continue
                check(got == value, "deployment.toml %s is %r, want %r" % (".".join(map(str, path)), got, value))
            check(after.get("server", {}).get("hostname") != "localhost", "[server] hostname still localhost")
            left = leftover_localhost(text, has_analytics, hash_comments=True)
            check(not left, "deployment.toml still names %s" % sorted(set(left)))
            # Shipped lines that the design does not decide stay byte for byte.
            kept = [l for l in shipped[rel].decode("utf-8").splitlines() if l.startswith("#")]
            check(all(l in text.splitlines() for l in kept), "a comment line of deployment.toml is gone")
        else:
            for rel in ("repository/conf/identity/identity.xml", "repository/conf/identity/application-authentication.xml",
                        "repository/conf/finance/open-banking.xml"):
                text = open(os.path.join(home, rel), encoding="latin-1").read()
                left = leftover_localhost(text, has_analytics)
                check(not left, "%s still names %s" % (rel, sorted(set(left))))
                check("<!--Cookies>" in text or rel != "repository/conf/identity/identity.xml",
                      "identity.xml: the commented-out Cookies block changed")
        r2 = run(bundle, node, home, env, "--check")
        check(r2.returncode == 0, "--check after applying: exit %d %s%s" % (r2.returncode, r2.stdout, r2.stderr))
    for f in failures:
        print("FAIL " + f)
    print("apply-pack %s %s: %s" % (node, pack, "ok" if not failures else "%d failure(s)" % len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
