#!/usr/bin/env python3
"""Apply an obkm-topology bundle to an installed WSO2 Open Banking Key Manager pack.

    python3 apply/apply-config.py --node km-1 --home /opt/wso2-obkm-1.5.0 [--dry-run]

For each entry of key-manager/<node>/patches.json, the element named by "element" in "file"
(under --home) is replaced by the element of the fragment ("fragment_element", or the
fragment's root element), or, with "attributes", only those attributes of its start tag are
set. Everything else in the file (XML declaration, comments, commented-out alternatives,
namespaces, layout) stays byte for byte as it was: the script locates the element's text
span and splices; it never re-serialises the document.

- Placeholders such as @@OBKM_DB_PASSWORD@@ are filled from the environment variable of the
  same name when it is set; otherwise they are left in place, with a warning.
- Nothing is written unless every file and element is found (a missing one is reported and
  the pack stays untouched).
- Before the first change to a file, a copy is kept as <file>.obkm-backup (never overwritten).
- Running it again changes nothing more.

Python 3 standard library only.
"""

import argparse
import json
import os
import re
import sys
import tempfile

PLACEHOLDER = re.compile(r"@@([A-Z][A-Z0-9_]*)@@")
NAME = re.compile(r"[^\s/>=]+")


class XmlError(Exception):
    pass


class Element:
    __slots__ = ("name", "attrs", "attr_spans", "start", "tag_end", "end", "inner_start", "inner_end",
                 "children", "parent", "self_closing")

    def __init__(self, name, attrs, attr_spans, start, tag_end, parent, self_closing):
        self.name = name
        self.attrs = attrs
        self.attr_spans = attr_spans
        self.start = start
        self.tag_end = tag_end
        self.end = tag_end if self_closing else None
        self.inner_start = tag_end
        self.inner_end = tag_end
        self.children = []
        self.parent = parent
        self.self_closing = self_closing


def local(name):
    return name.split(":", 1)[-1]


def scan(text):
    """Returns the root element of the document; comments, CDATA, PIs and DOCTYPE are skipped."""
    i = 0
    n = len(text)
    stack = []
    root = None
    while True:
        i = text.find("<", i)
        if i < 0:
            break
        if text.startswith("<!--", i):
            j = text.find("-->", i + 4)
            if j < 0:
                raise XmlError("unterminated comment")
            i = j + 3
        elif text.startswith("<![CDATA[", i):
            j = text.find("]]>", i)
            if j < 0:
                raise XmlError("unterminated CDATA section")
            i = j + 3
        elif text.startswith("<?", i):
            j = text.find("?>", i)
            if j < 0:
                raise XmlError("unterminated processing instruction")
            i = j + 2
        elif text.startswith("<!", i):
            depth = 0
            j = i
            while j < n:
                c = text[j]
                if c == "[":
                    depth += 1
                elif c == "]":
                    depth -= 1
                elif c == ">" and depth <= 0:
                    break
                j += 1
            i = j + 1
        elif text.startswith("</", i):
            j = text.find(">", i)
            if j < 0:
                raise XmlError("unterminated end tag")
            name = text[i + 2:j].strip()
            if not stack or stack[-1].name != local(name):
                raise XmlError("unexpected </%s> at offset %d" % (name, i))
            el = stack.pop()
            el.inner_end = i
            el.end = j + 1
            i = j + 1
        else:
            m = NAME.match(text, i + 1)
            if not m:
                raise XmlError("malformed tag at offset %d" % i)
            name = m.group(0)
            j = m.end()
            attrs = {}
            spans = {}
            while True:
                while j < n and text[j].isspace():
                    j += 1
                if j >= n:
                    raise XmlError("unterminated start tag <%s" % name)
                if text[j] == ">" or text.startswith("/>", j):
                    break
                am = NAME.match(text, j)
                if not am:
                    raise XmlError("malformed attribute in <%s" % name)
                aname = am.group(0)
                j = am.end()
                while j < n and text[j].isspace():
                    j += 1
                if j >= n or text[j] != "=":
                    raise XmlError("attribute %s of <%s> has no value" % (aname, name))
                j += 1
                while j < n and text[j].isspace():
                    j += 1
                if j >= n or text[j] not in "\"'":
                    raise XmlError("attribute %s of <%s> is not quoted" % (aname, name))
                q = text[j]
                k = text.find(q, j + 1)
                if k < 0:
                    raise XmlError("unterminated attribute %s of <%s>" % (aname, name))
                attrs[local(aname)] = text[j + 1:k]
                spans[local(aname)] = (j + 1, k)
                j = k + 1
            self_closing = text.startswith("/>", j)
            tag_end = j + (2 if self_closing else 1)
            parent = stack[-1] if stack else None
            el = Element(local(name), attrs, spans, i, tag_end, parent, self_closing)
            if parent is not None:
                parent.children.append(el)
            elif root is None:
                root = el
            else:
                raise XmlError("more than one root element")
            if not self_closing:
                stack.append(el)
            i = tag_end
    if stack:
        raise XmlError("<%s> is never closed" % stack[-1].name)
    if root is None:
        raise XmlError("no root element")
    return root


STEP = re.compile(r"^([A-Za-z_][\w.-]*)(?:\[(@?)([A-Za-z_][\w.-]*)='([^']*)'\])?$")


def parse_selector(selector):
    if not selector.startswith("/"):
        raise XmlError("selector %r must start with /" % selector)
    parts = []
    current = ""
    quoted = False
    for c in selector[1:]:
        if c == "'":
            quoted = not quoted
        if c == "/" and not quoted:
            parts.append(current)
            current = ""
        else:
            current += c
    parts.append(current)
    steps = []
    for part in parts:
        m = STEP.match(part)
        if not m:
            raise XmlError("cannot read selector step %r" % part)
        steps.append(m.groups())
    return steps


def child_text(text, el, name):
    for c in el.children:
        if c.name == name and not c.children:
            return text[c.inner_start:c.inner_end].strip()
    return None


def matches(text, el, step):
    name, at, key, value = step
    if el.name != name:
        return False
    if key is None:
        return True
    if at:
        return el.attrs.get(key) == value
    return child_text(text, el, key) == value


def select(text, root, selector):
    steps = parse_selector(selector)
    if not matches(text, root, steps[0]):
        return []
    found = [root]
    for step in steps[1:]:
        found = [c for el in found for c in el.children if matches(text, c, step)]
    return found


def read_latin1(path):
    with open(path, "rb") as f:
        return f.read().decode("latin-1")


def declared_encoding(text):
    m = re.match(r"<\?xml[^>]*encoding=[\"']([A-Za-z0-9._-]+)[\"']", text)
    return m.group(1) if m else "utf-8"


def fill(fragment, env, warnings, where):
    def sub(m):
        value = env.get(m.group(1))
        if value is None:
            warnings.setdefault(m.group(1), set()).add(where.split(" ", 1)[0])
            return m.group(0)
        return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                .replace('"', "&quot;").replace("'", "&apos;"))
    return PLACEHOLDER.sub(sub, fragment)


def patch_text(text, patch, fragment_text, env, warnings):
    """Returns the file text with one patch applied."""
    root = scan(text)
    targets = select(text, root, patch["element"])
    if not targets:
        raise XmlError("element %s not found" % patch["element"])
    if len(targets) > 1:
        raise XmlError("element %s found %d times" % (patch["element"], len(targets)))
    target = targets[0]
    froot = scan(fragment_text)
    fsel = patch.get("fragment_element")
    sources = select(fragment_text, froot, fsel) if fsel else [froot]
    if len(sources) != 1:
        raise XmlError("fragment element %s found %d times in %s" % (fsel, len(sources), patch["fragment"]))
    source = sources[0]
    encoding = declared_encoding(text)
    where = "%s %s" % (patch["file"], patch["element"])
    if "attributes" in patch:
        new = text
        # Apply from the last attribute in the file to the first, so spans stay valid.
        edits = []
        for name in patch["attributes"]:
            if name not in source.attrs:
                raise XmlError("fragment element has no attribute %s" % name)
            value = fill(source.attrs[name], env, warnings, where)
            value = value.encode(encoding, "xmlcharrefreplace").decode("latin-1")
            if name in target.attr_spans:
                a, b = target.attr_spans[name]
                edits.append((a, b, value))
            else:
                at = target.tag_end - (2 if target.self_closing else 1)
                edits.append((at, at, ' %s="%s"' % (name, value)))
        for a, b, value in sorted(edits, reverse=True):
            new = new[:a] + value + new[b:]
        return new
    snippet = fill(fragment_text[source.start:source.end], env, warnings, where)
    snippet = snippet.encode(encoding, "xmlcharrefreplace").decode("latin-1")
    return text[:target.start] + snippet + text[target.end:]


def write_atomic(path, text):
    directory = os.path.dirname(path)
    mode = os.stat(path).st_mode
    fd, tmp = tempfile.mkstemp(prefix=".obkm-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("latin-1"))
        os.chmod(tmp, mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description="Apply an obkm-topology bundle to an installed Key Manager pack.")
    ap.add_argument("--node", required=True, help="the Key Manager node id, such as km-1")
    ap.add_argument("--home", required=True, help="WSO2_OB_KM_HOME, the installed pack")
    ap.add_argument("--bundle", default=os.path.dirname(here), help="the unpacked bundle (default: beside this script)")
    ap.add_argument("--dry-run", action="store_true", help="report what would change, write nothing")
    args = ap.parse_args(argv)

    node_dir = os.path.join(args.bundle, "key-manager", args.node)
    patches_path = os.path.join(node_dir, "patches.json")
    if not os.path.isfile(patches_path):
        print("error: no patches for node %r (%s is missing)" % (args.node, patches_path), file=sys.stderr)
        return 2
    with open(patches_path, encoding="utf-8") as f:
        patches = json.load(f)
    if not os.path.isdir(args.home):
        print("error: %s is not a directory" % args.home, file=sys.stderr)
        return 2

    env = dict(os.environ)
    warnings = {}
    errors = []
    originals = {}
    results = {}
    fragments = {}
    for patch in patches:
        rel = patch["file"]
        path = os.path.join(args.home, rel)
        if rel not in originals:
            if not os.path.isfile(path):
                errors.append("%s: file not found under %s" % (rel, args.home))
                originals[rel] = None
                continue
            originals[rel] = read_latin1(path)
            results[rel] = originals[rel]
        if originals[rel] is None:
            continue
        fpath = os.path.join(node_dir, patch["fragment"])
        if fpath not in fragments:
            try:
                with open(fpath, encoding="utf-8") as f:
                    fragments[fpath] = f.read()
            except OSError as e:
                errors.append("%s: %s" % (patch["fragment"], e))
                continue
        try:
            results[rel] = patch_text(results[rel], patch, fragments[fpath], env, warnings)
        except XmlError as e:
            errors.append("%s: %s" % (rel, e))

    for name in sorted(warnings):
        print("warning: %s is not set: its @@%s@@ placeholders stay in %s (set it and run again)"
              % (name, name, ", ".join(sorted(warnings[name]))), file=sys.stderr)
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        print("nothing was changed", file=sys.stderr)
        return 1

    changed = 0
    for rel, text in results.items():
        if text == originals[rel]:
            print("unchanged %s" % rel)
            continue
        changed += 1
        path = os.path.join(args.home, rel)
        if args.dry_run:
            print("would patch %s" % rel)
            continue
        backup = path + ".obkm-backup"
        if not os.path.exists(backup):
            with open(backup, "wb") as f:
                f.write(originals[rel].encode("latin-1"))
        write_atomic(path, text)
        print("patched %s (backup: %s)" % (rel, os.path.basename(backup)))
    print("%d file(s) changed, %d unchanged" % (changed, len(results) - changed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
