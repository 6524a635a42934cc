#!/usr/bin/env python3
"""apply-config.py against a copy of a real Key Manager pack.

    python3 tests/consumers/apply_config_test.py BUNDLE_DIR PACK_DIR NODE

Applied: every patched file parses and holds the design's values, everything outside the
patched elements is unchanged byte for byte, backups equal the originals. Re-applied: nothing
changes. A missing file or element: refused (exit 2), nothing touched. Exit status 1 on any
failure. The placeholders the test does not set (such as @@OBKM_PUBLIC_HOSTNAME@@ when the design
has no load balancer host name) are left in place: the script runs with --allow-placeholders.
"""
import difflib
import importlib.util
import ipaddress
import re
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def load_script(bundle):
    spec = importlib.util.spec_from_file_location("apply_config", os.path.join(bundle, "apply", "apply-config.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def snapshot(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            out[os.path.relpath(p, root)] = open(p, "rb").read()
    return out


def apply(bundle, node, home, env=None):
    e = dict(os.environ)
    e.update(env or {})
    return subprocess.run([sys.executable, os.path.join(bundle, "apply", "apply-config.py"), "--node", node, "--home", home,
                           "--allow-placeholders"], capture_output=True, text=True, env=e)


def main(bundle, pack, node):
    ac = load_script(bundle)
    node_dir = os.path.join(bundle, "key-manager", node)
    patches = json.load(open(os.path.join(node_dir, "patches.json")))
    design = json.load(open(os.path.join(bundle, "design.json")))
    env = {"OBKM_DB_USERNAME": "obkm_user", "OBKM_DB_PASSWORD": "s3cr<e>t&\"'", "OBKM_LDAP_BIND_DN": "cn=admin,dc=bank",
           "OBKM_LDAP_BIND_PASSWORD": "x", "OBKM_LDAP_USER_SEARCH_BASE": "ou=Users,dc=bank",
           "OBKM_LDAP_GROUP_SEARCH_BASE": "ou=Groups,dc=bank", "OBKM_ORACLE_SERVICE": "ORCL"}
    for logical in ("APIM", "CONFIG", "GOVERNANCE", "USER", "OPENBANKING"):  # Oracle: a user per database
        env["OBKM_DB_%s_USERNAME" % logical] = "obkm_" + logical.lower()
        env["OBKM_DB_%s_PASSWORD" % logical] = "s3cr<e>t&\"'" + logical
    with tempfile.TemporaryDirectory() as tmp:
        home = os.path.join(tmp, "pack")
        shutil.copytree(pack, home)
        before = snapshot(home)
        r = apply(bundle, node, home, env)
        check(r.returncode == 0, "first apply failed: %s%s" % (r.stdout, r.stderr))
        after = snapshot(home)
        files = sorted({p["file"] for p in patches})
        for rel in files:
            path = os.path.join(home, rel)
            original = before[rel].decode("latin-1")
            patched = after[rel].decode("latin-1")
            check(after.get(rel + ".obkm-backup") == before[rel], rel + ": the backup differs from the original")
            try:
                ET.fromstring(after[rel])
            except ET.ParseError as e:
                failures.append("%s: does not parse after patching: %s" % (rel, e))
            # Everything outside the patched elements is unchanged: each changed line range of
            # the original lies inside the span of an element the patches target.
            root = ac.scan(original)
            spans = []
            for p in patches:
                if p["file"] == rel:
                    for el in ac.select(original, root, p["element"]):
                        spans.append((original.count("\n", 0, el.start), original.count("\n", 0, el.end)))
            a, b = original.splitlines(), patched.splitlines()
            for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
                if tag == "equal":
                    continue
                # Adjacent patched elements change as one run of lines: every line of it lies
                # inside some patched element.
                lines = range(i1, max(i1 + 1, i2))
                check(all(any(s <= n <= e for s, e in spans) for n in lines),
                      "%s: lines %d-%d changed outside the patched elements" % (rel, i1 + 1, i2))
            check("@@OBKM_DB_PASSWORD@@" not in patched, rel + ": the password placeholder was not filled")
        # The design's values are in the pack.
        conf = os.path.join(home, "repository", "conf")
        ns = {"c": "http://wso2.org/projects/carbon/carbon.xml"}
        carbon = ET.parse(os.path.join(conf, "carbon.xml")).getroot()
        lb_names = [n["props"].get("hostname") for n in design["nodes"] if n["kind"] == "load-balancer"]
        check(carbon.find("c:HostName", ns).text in lb_names or carbon.find("c:HostName", ns).text == "@@OBKM_PUBLIC_HOSTNAME@@",
              "carbon.xml HostName is %r" % carbon.find("c:HostName", ns).text)
        me = next(n for n in design["nodes"] if n["id"] == node)
        check(carbon.find("c:Ports/c:Offset", ns).text == str(me["props"].get("port_offset", 3)), "carbon.xml Offset")
        axis2 = ET.parse(os.path.join(conf, "axis2", "axis2.xml")).getroot()
        cl = axis2.find("clustering")
        check(cl.get("enable") == "true", "axis2.xml clustering not enabled")
        params = {p.get("name"): (p.text or "").strip() for p in cl.findall("parameter")}
        # XML 1.0 cannot carry control characters other than tab, LF and CR: they become U+FFFD.
        want_domain = "".join("\ufffd" if ord(c) < 32 and c not in "\t\n\r" else c for c in design["cluster"]["domain"])
        check(params.get("domain") == want_domain.strip(), "axis2.xml domain %r" % params.get("domain"))
        check(params.get("membershipScheme") == design["cluster"]["membership_scheme"], "axis2.xml membershipScheme")
        kms = [n for n in design["nodes"] if n["kind"] == "key-manager"]
        if design["cluster"]["membership_scheme"] == "wka":
            members = [(m.findtext("hostName"), m.findtext("port")) for m in cl.findall("members/member")]
            def usable(a):
                try:
                    ipaddress.ip_address(a)
                    return True
                except ValueError:
                    return bool(a) and re.fullmatch(r"(?i)[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?", a) \
                        and not a.rstrip(".").split(".")[-1].isdigit()
            want = [(a, str(n["props"].get("member_port", 4000))) for n in kms
                    for a in [n["props"].get("ip") or n["props"].get("hostname")] if usable(a)]
            check(members == want, "axis2.xml members %r, want %r" % (members, want))
        cat = ET.parse(os.path.join(conf, "tomcat", "catalina-server.xml")).getroot()
        proxy = {c.get("port"): c.get("proxyPort") for c in cat.iter("Connector")}
        http = any(n["kind"] == "load-balancer" and n["props"].get("expose_http") for n in design["nodes"]
                   if any({l["from"], l["to"]} == {n["id"], node} for l in design["links"]))
        check(proxy.get("9763") == ("80" if http else None) and proxy.get("9443") is not None, "catalina proxyPort %r" % proxy)
        linked = {l["to"] if l["from"] == node else l["from"] for l in design["links"] if node in (l["from"], l["to"])}
        ds = ET.parse(os.path.join(conf, "datasources", "master-datasources.xml")).getroot()
        by_name = {d.findtext("name"): d for d in ds.iter("datasource")}
        check(set(by_name) >= {"WSO2_CARBON_DB", "WSO2AM_DB", "WSO2CONFIG_DB", "WSO2REG_DB", "WSO2UM_DB"}, "datasources %r" % sorted(by_name))
        check("h2" in by_name["WSO2_CARBON_DB"].findtext("definition/configuration/url"), "WSO2_CARBON_DB was touched")
        am = by_name["WSO2AM_DB"].find("definition/configuration")
        oracle = any(n["kind"] == "database" and n["props"].get("engine") == "oracle" for n in design["nodes"])
        want = env["OBKM_DB_APIM_PASSWORD" if oracle else "OBKM_DB_PASSWORD"]
        check(am.findtext("password") == want, "password not filled from the environment")
        check(am.findtext("maxActive") == "150" and am.findtext("validationInterval") == "30000", "pool settings")
        dbs = [n for n in design["nodes"] if n["kind"] == "database" and n["id"] in linked]
        if dbs and dbs[0]["props"].get("engine") == "oracle":
            check(am.findtext("validationQuery") == "SELECT 1 FROM DUAL", "Oracle validation query")
        reg = ET.parse(os.path.join(conf, "registry.xml")).getroot()
        mounts = {m.get("path"): m.findtext("instanceId") for m in reg.findall("mount")}
        check(mounts.get("/_system/config") == "configInstance" and mounts.get("/_system/governance") == "governanceInstance", "registry mounts")
        um = ET.parse(os.path.join(conf, "user-mgt.xml")).getroot()
        usm = um.find("Realm/UserStoreManager")
        linked = {l["to"] if l["from"] == node else l["from"] for l in design["links"] if node in (l["from"], l["to"])}
        dirs = [n for n in design["nodes"] if n["kind"] == "directory" and n["id"] in linked]
        if dirs:
            check("LDAP" in usm.get("class") or "ActiveDirectory" in usm.get("class"), "user store class %s" % usm.get("class"))
        else:
            check(usm.get("class").endswith("JDBCUserStoreManager"), "JDBC user store expected")

        # Re-applied: nothing changes.
        r2 = apply(bundle, node, home, env)
        check(r2.returncode == 0 and "0 file(s) changed" in r2.stdout, "second apply: %s%s" % (r2.stdout, r2.stderr))
        check(snapshot(home) == after, "the second apply changed files")

    # A missing element or file: refused, nothing touched.
    for case in ("element", "file"):
        with tempfile.TemporaryDirectory() as tmp:
            home = os.path.join(tmp, "pack")
            shutil.copytree(pack, home)
            carbon = os.path.join(home, "repository", "conf", "carbon.xml")
            if case == "element":
                text = open(carbon, encoding="latin-1").read()
                start = text.index("<MgtHostName>")
                end = text.index("</MgtHostName>") + len("</MgtHostName>")
                open(carbon, "w", encoding="latin-1").write(text[:start] + text[end:])
            else:
                os.remove(os.path.join(home, "repository", "conf", "registry.xml"))
            before = snapshot(home)
            r = apply(bundle, node, home, env)
            check(r.returncode == 2, "missing %s: exit %d" % (case, r.returncode))
            want = "MgtHostName not found" if case == "element" else "registry.xml: file not found"
            check(want in r.stderr and "nothing was changed" in r.stderr, "missing %s: %s" % (case, r.stderr))
            check(snapshot(home) == before, "missing %s: files were touched" % case)

    for f in failures:
        if f:
            print("FAIL " + f)
    print("apply-config: %s" % ("ok" if not [f for f in failures if f] else "%d failure(s)" % len(failures)))
    return 1 if [f for f in failures if f] else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
