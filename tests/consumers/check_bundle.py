#!/usr/bin/env python3
"""Feeds every file of an unpacked bundle to the real tool that consumes it.

    python3 tests/consumers/check_bundle.py DIR

xmllint for XML, nginx -t inside a minimal main config (dummy certificates made here),
haproxy -c, nft -c -f, iptables-restore --test, tomllib for TOML, the csv module for the
flow matrix, python-hcl2 for Terraform, sh -n for shell scripts, py_compile for Python,
json for JSON. Prints one line per problem; exit status 1 when there is any.
"""
import csv
import io
import json
import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

problems = []
checked = {}


def note(kind):
    checked[kind] = checked.get(kind, 0) + 1


def run(cmd, what, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        problems.append("%s: %s failed: %s%s" % (what, cmd[0], r.stdout, r.stderr))
    return r


def certs(directory, name):
    os.makedirs(directory, exist_ok=True)
    key, crt = os.path.join(directory, name + ".key"), os.path.join(directory, name + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt,
                    "-subj", "/CN=obkm-test", "-days", "2"], check=True, capture_output=True)
    return key, crt


def check_nginx(path, rel):
    text = open(path, encoding="utf-8").read()
    if "sticky learn" in text:
        # NGINX Plus only: open-source nginx cannot load it; check the rest of its structure.
        if "ip_hash" in text or "proxy_pass https://" not in text:
            problems.append(rel + ": NGINX Plus config without sticky learn / https backend")
        note("nginx-plus (structure)")
        return
    with tempfile.TemporaryDirectory() as prefix:
        lb = rel.split("/")[1]
        certs(os.path.join(prefix, "ssl"), "obkm-" + lb)
        os.makedirs(os.path.join(prefix, "conf.d"))
        # nginx resolves backend host names when it starts, and this sandbox has no DNS: for the
        # syntax check only, a backend written by name is pointed at a loopback address.
        text = re.sub(r"(?m)^(\s*server )(?!\[)([A-Za-z][A-Za-z0-9.-]*)(:\d+;)", r"\g<1>127.0.0.2\g<3>", text)
        open(os.path.join(prefix, "conf.d", "obkm.conf"), "w", encoding="utf-8").write(text)
        with open(os.path.join(prefix, "nginx.conf"), "w") as f:
            f.write("pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n  access_log off;\n"
                    "  include conf.d/obkm.conf;\n}\n" % (prefix, prefix))
        run(["nginx", "-t", "-q", "-p", prefix + "/", "-c", os.path.join(prefix, "nginx.conf")], rel)
    note("nginx -t")


def check_haproxy(path, rel):
    with tempfile.TemporaryDirectory() as d:
        key, crt = certs(d, "obkm")
        with open(os.path.join(d, "obkm.pem"), "w") as f:
            f.write(open(crt).read() + open(key).read())
        text = open(path, encoding="utf-8").read().replace("crt-base /etc/haproxy/certs", "crt-base " + d)
        cfg = os.path.join(d, "haproxy.cfg")
        open(cfg, "w").write(text)
        run(["haproxy", "-c", "-q", "-f", cfg], rel)
    note("haproxy -c")


def main(root):
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, root)
            if name.endswith(".xml"):
                run(["xmllint", "--noout", path], rel)
                note("xmllint")
            elif name == "obkm.conf":
                check_nginx(path, rel)
            elif name == "haproxy.cfg":
                check_haproxy(path, rel)
            elif name.endswith(".nft"):
                run(["nft", "-c", "-f", path], rel)
                note("nft -c")
            elif name.endswith(".rules"):
                run(["iptables-restore", "--test", path], rel)
                note("iptables-restore --test")
            elif name.endswith(".toml"):
                try:
                    tomllib.loads(open(path, encoding="utf-8").read())
                except Exception as e:
                    problems.append("%s: TOML: %s" % (rel, e))
                note("tomllib")
            elif name.endswith(".csv"):
                raw = open(path, encoding="utf-8", newline="").read()
                rows = list(csv.reader(io.StringIO(raw, newline="")))
                header = rows[0] if rows else []
                if header[:2] != ["id", "source"] or len(header) != 13:
                    problems.append("%s: unexpected header %r" % (rel, header))
                for i, row in enumerate(rows[1:], 2):
                    if len(row) != len(header):
                        problems.append("%s: row %d has %d fields, header %d" % (rel, i, len(row), len(header)))
                if raw and not raw.endswith("\r\n"):
                    problems.append(rel + ": not CRLF-terminated (RFC 4180)")
                note("csv")
            elif name.endswith(".tf"):
                import hcl2
                try:
                    hcl2.loads(open(path, encoding="utf-8").read())
                except Exception as e:
                    problems.append("%s: HCL: %s" % (rel, e))
                note("hcl2")
            elif name.endswith(".sh"):
                run(["sh", "-n", path], rel)
                note("sh -n")
            elif name.endswith(".py"):
                try:
                    py_compile.compile(path, doraise=True, cfile=os.path.join(tempfile.gettempdir(), "obkm-pyc"))
                except py_compile.PyCompileError as e:
                    problems.append("%s: %s" % (rel, e))
                note("py_compile")
            elif name.endswith(".json") or name.endswith(".sarif"):
                try:
                    doc = json.load(open(path, encoding="utf-8"))
                except ValueError as e:
                    problems.append("%s: JSON: %s" % (rel, e))
                    doc = None
                note("json")
                if name == "patches.json" and isinstance(doc, list):
                    # deployment.toml patches carry TOML value text; XML text patches XML text.
                    texts = []
                    for p in doc:
                        if "toml_table" in p:
                            try:
                                tomllib.loads("v = " + p["value"])
                            except Exception as e:
                                problems.append("%s: TOML value of %s.%s: %s" % (rel, p["toml_table"], p["key"], e))
                            if "@@" in p["value"]:
                                problems.append("%s: %s.%s: an @@ placeholder nothing fills in TOML" % (rel, p["toml_table"], p["key"]))
                            note("tomllib (patch values)")
                        elif "text" in p:
                            texts.append("<t>%s</t>" % p["text"])
                            note("xmllint (text patches)")
                    if texts:
                        run(["xmllint", "--noout", "-"], rel + " text patches", input="<x>%s</x>" % "".join(texts))
    for p in problems:
        print("PROBLEM " + p)
    print("checked: " + ", ".join("%s %d" % kv for kv in sorted(checked.items())))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
