#!/usr/bin/env python3
"""A deployment made from a bundle, for the import's round trip: every Key Manager and API
Manager node's bundle applied with apply-config.py to its own copy of the real pack, and every
load balancer's files copied beside them, one folder a node.

    python3 tests/consumers/deploy_bundle.py BUNDLE_DIR WSO2_PACK_DIR OUT_DIR

Placeholders are set to plain values first (the import never reads them). Exit status 1 when a
node could not be applied.
"""
import json
import os
import re
import shutil
import subprocess
import sys

PLACEHOLDER = re.compile(r"@@(OBKM_[A-Z0-9_]+)@@")


def main(bundle, packs, out):
    design = json.load(open(os.path.join(bundle, "design.json")))
    product = design.get("product", "ob-km-1.5")
    status = 0
    for n in design["nodes"]:
        kind, node = n["kind"], n["id"]
        if kind in ("key-manager", "api-manager"):
            folder = os.path.join(bundle, "api-manager" if kind == "api-manager" else "key-manager", node)
            if kind == "api-manager" and not os.path.isdir(folder):
                continue  # OB IAM 2.0 designs: the bundle configures no API Manager (not a 1.5 pack)
            names = set()
            for root, _, files in os.walk(folder):
                for f in files:
                    names.update(PLACEHOLDER.findall(open(os.path.join(root, f), encoding="utf-8").read()))
            env = dict(os.environ)
            env.update({p: "value-of-" + p.lower() for p in names})
            pack = "ob-am-1.5" if kind == "api-manager" else ("ob-iam-2.0" if product == "ob-iam-2.0" else "ob-km-1.5")
            home = os.path.join(out, node)
            shutil.copytree(os.path.join(packs, pack), home)
            r = subprocess.run([sys.executable, os.path.join(bundle, "apply", "apply-config.py"), "--node", node,
                                "--home", home], capture_output=True, text=True, env=env)
            if r.returncode != 0:
                print("apply %s failed: %s%s" % (node, r.stdout, r.stderr))
                status = 1
            # What an operator puts beside the pack: the mount script and the JVM options.
            for sub in ("storage", "bin"):
                if os.path.isdir(os.path.join(folder, sub)):
                    shutil.copytree(os.path.join(folder, sub), os.path.join(home, sub), dirs_exist_ok=True)
        elif kind == "load-balancer":
            src = os.path.join(bundle, "load-balancer", node)
            if os.path.isdir(src):
                shutil.copytree(src, os.path.join(out, node))
    return status


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
