#!/usr/bin/env python3
"""Apply an obkm-topology bundle to an installed WSO2 pack (Open Banking Key Manager, IAM or
API Manager), patching its configuration files in place.

    python3 apply/apply-config.py --node km-1 --home /opt/wso2-obkm-1.5.0 --check
    python3 apply/apply-config.py --node km-1 --home /opt/wso2-obkm-1.5.0
    python3 apply/apply-config.py --node km-1 --home /opt/wso2-obkm-1.5.0 --restore

The patches of a node are listed in key-manager/<node>/patches.json (or, for an API Manager
node, api-manager/<node>/patches.json: key-manager/ is looked at first). Each entry names a
"file" under --home; fragment paths are relative to the node's folder. The kinds of entry:

- XML element: {"file", "element", "fragment"[, "fragment_element"]}: the element named by the
  selector "element" is replaced by the fragment's element ("fragment_element", or the
  fragment's root element).
- XML attributes: the same plus "attributes": [names]: only those attributes of the element's
  start tag are set, from the fragment's element.
- XML text: {"file", "element", "text"}: the element's text (between its start and end tag) is
  replaced by "text" (already XML-escaped); <X/> becomes <X>text</X>. The element must have no
  child elements.
  Selectors are paths of element names from the root, a step may carry one condition:
  /Server/Ports/Offset, /Server/Service/Connector[@port='9443'] (an attribute),
  /datasources-configuration/datasources/datasource[name='WSO2AM_DB'] (a child's text).
  Any XML entry may carry "optional": true: when its file or element is not in this pack, it
  is skipped ("skipped <file> <element>: not in this pack") instead of failing the run.
- TOML key (deployment.toml of IAM 2.0): {"file", "toml_table", "key", "value"}: in the
  section of the header [toml_table], the value of "key" (dotted keys allowed: config.url) is
  replaced by "value" (TOML value text, written as given), keeping the key, the spacing around
  "=" and any trailing comment. A key the section lacks is added after its last key line; a
  table the file lacks is appended at the end, with its header. A table that exists only
  through dotted keys (config.url in [open_banking_database] makes open_banking_database.config)
  cannot get a header: such an entry is refused. With "toml_array": true and "toml_match":
  {"id": "WSO2UM_DB"}, the entry addresses the [[toml_table]] block whose keys have those
  string values; no such block is an error, unless "create": true (a new block is appended)
  or "optional": true (skipped, as is any TOML entry whose file is missing).

Everything else in each file (XML declaration, comments, commented-out alternatives,
namespaces, layout, every other TOML line) stays byte for byte as it was: the script locates
the text span of what it changes and splices; it never re-serialises a document.

- Placeholders such as @@OBKM_DB_PASSWORD@@ (names starting OBKM_ only: other @@...@@ text is
  data) in fragments, "text" values and attribute values
  are filled, XML-escaped, from the environment variable of the same name. If one that the
  node's patches need is unset or empty, the script names each such variable with the files
  that need it and stops without writing anything (exit 2); with --allow-placeholders it
  leaves them in place, with a warning. TOML entries have no @@ placeholders: their $env{NAME}
  references are resolved by the server when it starts.
- Nothing is written unless every patch of the node succeeds (a missing file or element, or a
  bad entry, is reported and the pack stays untouched). Files are replaced atomically.
- Before the first change to a file, a copy is kept as <file>.obkm-backup (never overwritten).
- Running it again changes nothing more.

Options:
  --dry-run              say which files would change, write nothing.
  --check                print a unified diff of what applying would change, write nothing;
                         exit 1 when something would change, 0 when the pack is up to date.
  --restore              put every <file>.obkm-backup of the node's files back (and remove the
                         backups), all or nothing.
  --allow-placeholders   leave unset @@NAME@@ placeholders in place instead of refusing.

Exit status: 0 done (or nothing to do), 1 --check found changes, 2 an error (missing file or
element, unset placeholder, bad patches.json, bad arguments): then nothing was written.

Python 3.6 or later, standard library only.
"""

import argparse
import collections
import difflib
import json
import os
import re
import sys
import tempfile

# Only the bundle's own variables (OBKM_...) are placeholders: any other @@...@@ text is data
# (a label, a domain) and stays as it is.
PLACEHOLDER = re.compile(r"@@(OBKM_[A-Z0-9_]+)@@")
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


class NotInPack(XmlError):
    """The target of a patch (file, element, [[table]] block) is not in this pack (an XmlError,
    as a missing element always was)."""


class ManifestError(Exception):
    pass


def xml_escape(value):
    return (value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


def fill(fragment, env, warnings, where):
    """Fills the @@NAME@@ placeholders of fragment, XML-escaped, from env. An unset or empty
    variable leaves its placeholder; warnings[NAME] collects the files (where) that need it."""
    def sub(m):
        value = env.get(m.group(1))
        if not value:
            warnings.setdefault(m.group(1), set()).add(where)
            return m.group(0)
        return xml_escape(value)
    return PLACEHOLDER.sub(sub, fragment)


def find_one(text, root, selector):
    targets = select(text, root, selector)
    if not targets:
        raise NotInPack("element %s not found" % selector)
    if len(targets) > 1:
        raise XmlError("element %s found %d times" % (selector, len(targets)))
    return targets[0]


def patch_text(text, patch, fragment_text, env, warnings):
    """Returns the XML file text with one patch applied (element, attributes or text)."""
    root = scan(text)
    target = find_one(text, root, patch["element"])
    encoding = declared_encoding(text)
    where = patch["file"]
    if "text" in patch:
        return patch_inner_text(text, target, patch, encoding, env, warnings)
    froot = scan(fragment_text)
    fsel = patch.get("fragment_element")
    sources = select(fragment_text, froot, fsel) if fsel else [froot]
    if len(sources) != 1:
        raise XmlError("fragment element %s found %d times in %s" % (fsel, len(sources), patch["fragment"]))
    source = sources[0]
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


def patch_inner_text(text, target, patch, encoding, env, warnings):
    """Replaces the text between the start and end tag of target (which has no child element)."""
    if target.children:
        raise XmlError("element %s has child elements (<%s>): a text patch only replaces text"
                       % (patch["element"], target.children[0].name))
    value = fill(patch["text"], env, warnings, patch["file"])
    value = value.encode(encoding, "xmlcharrefreplace").decode("latin-1")
    if target.self_closing:
        if value == "":
            return text
        qname = NAME.match(text, target.start + 1).group(0)
        head = text[target.start:target.tag_end - 2].rstrip()
        return text[:target.start] + head + ">" + value + "</" + qname + ">" + text[target.tag_end:]
    if text[target.inner_start:target.inner_end] == value:
        return text
    return text[:target.inner_start] + value + text[target.inner_end:]


ENTITY = re.compile(r"&(?:#[0-9]+|#x[0-9A-Fa-f]+|[A-Za-z_][\w.-]*);")


def xml_escaped(value):
    return "<" not in value and "]]>" not in value and "&" not in ENTITY.sub("", value)


# --- TOML -------------------------------------------------------------------------------------
#
# A TOML file is read as a list of statements (blank, comment, [table], [[array]] header, key =
# value, or a line it cannot read), each with its text span, so that a patch splices the value
# text or inserts a line and leaves every other byte alone. The structure check below follows
# the rules of Python 3.11's tomllib (tomli 2): a patch that would make the file invalid TOML
# (a table defined twice, a dotted key redefining a table, ...) is refused.

class TomlError(Exception):
    pass


BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
SCALAR_SCAN = re.compile(r"[A-Za-z0-9_+\-.:]+")
SCALAR_OK = re.compile(
    r"(?:true|false"
    r"|[+-]?(?:0|[1-9](?:_?[0-9])*)"
    r"|0x[0-9A-Fa-f](?:_?[0-9A-Fa-f])*|0o[0-7](?:_?[0-7])*|0b[01](?:_?[01])*"
    r"|[+-]?(?:0|[1-9](?:_?[0-9])*)(?:\.[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?"
    r"|[+-]?(?:inf|nan)"
    r"|[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})?)?"
    r"|[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)$")
ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\"}


class Stmt(object):
    __slots__ = ("kind", "start", "end", "line", "key", "value_span", "value_kind", "value_str")

    def __init__(self, kind, start, end, line):
        self.kind = kind              # blank, comment, table, array, kv, unknown
        self.start = start
        self.end = end                # after the statement's last line (and its line end)
        self.line = line
        self.key = None               # header name or key, a tuple of parts
        self.value_span = None
        self.value_kind = None        # string, array, inline, scalar
        self.value_str = None         # the decoded value of a single-line string


def _ws(text, i):
    n = len(text)
    while i < n and text[i] in " \t":
        i += 1
    return i


def _basic_string(text, i):
    """A "..." string at i: (decoded value, end)."""
    j = i + 1
    n = len(text)
    out = []
    while True:
        if j >= n or text[j] in "\r\n":
            raise TomlError("unterminated string")
        c = text[j]
        if c == '"':
            return "".join(out), j + 1
        if c == "\\":
            e = text[j + 1:j + 2]
            if e in ESCAPES:
                out.append(ESCAPES[e])
                j += 2
            elif e in ("u", "U"):
                size = 4 if e == "u" else 8
                digits = text[j + 2:j + 2 + size]
                if len(digits) != size or not re.match(r"[0-9A-Fa-f]+$", digits):
                    raise TomlError("bad escape in string")
                try:
                    out.append(chr(int(digits, 16)))
                except (ValueError, OverflowError):
                    raise TomlError("bad escape in string")
                j += 2 + size
            else:
                raise TomlError("bad escape in string")
        else:
            out.append(c)
            j += 1


def _literal_string(text, i):
    j = i + 1
    n = len(text)
    while j < n and text[j] not in "'\r\n":
        j += 1
    if j >= n or text[j] != "'":
        raise TomlError("unterminated string")
    return text[i + 1:j], j + 1


def _multiline_string(text, i, quote):
    """A \"\"\"...\"\"\" or '''...''' string at i: its end."""
    delim = quote * 3
    j = i + 3
    n = len(text)
    while True:
        if j >= n:
            raise TomlError("unterminated multi-line string")
        if quote == '"' and text[j] == "\\":
            j += 2
            continue
        if text.startswith(delim, j):
            end = j + 3
            extra = 0
            while extra < 2 and end < n and text[end] == quote:
                end += 1
                extra += 1
            return end
        j += 1


def _skip_array_space(text, j):
    n = len(text)
    while j < n:
        c = text[j]
        if c in " \t\r\n":
            j += 1
        elif c == "#":
            k = text.find("\n", j)
            j = n if k < 0 else k + 1
        else:
            break
    return j


def _value(text, i, strict=False):
    """The TOML value at i: (kind, end, decoded single-line string or None)."""
    n = len(text)
    if i >= n:
        raise TomlError("missing value")
    c = text[i]
    if text.startswith('"""', i) or text.startswith("'''", i):
        return "string", _multiline_string(text, i, c), None
    if c == '"':
        s, end = _basic_string(text, i)
        return "string", end, s
    if c == "'":
        s, end = _literal_string(text, i)
        return "string", end, s
    if c == "[":
        j = _skip_array_space(text, i + 1)
        while True:
            if j >= n:
                raise TomlError("unterminated array")
            if text[j] == "]":
                return "array", j + 1, None
            _, j, _ = _value(text, j, strict)
            j = _skip_array_space(text, j)
            if j < n and text[j] == ",":
                j = _skip_array_space(text, j + 1)
            elif j >= n or text[j] != "]":
                raise TomlError("malformed array")
    if c == "{":
        j = _ws(text, i + 1)
        if j < n and text[j] == "}":
            return "inline", j + 1, None
        while True:
            _, j = _key(text, j)
            if j >= n or text[j] != "=":
                raise TomlError("malformed inline table")
            _, j, _ = _value(text, _ws(text, j + 1), strict)
            j = _ws(text, j)
            if j < n and text[j] == ",":
                j = _ws(text, j + 1)
            elif j < n and text[j] == "}":
                return "inline", j + 1, None
            else:
                raise TomlError("malformed inline table")
    m = SCALAR_SCAN.match(text, i)
    if not m:
        raise TomlError("cannot read the value")
    end = m.end()
    # A date and a time may be separated by one space.
    if re.match(r"[0-9]{4}-[0-9]{2}-[0-9]{2}$", m.group(0)) and re.match(r" [0-9]{2}:", text[end:end + 4]):
        end = SCALAR_SCAN.match(text, end + 1).end()
    if strict and not SCALAR_OK.match(text[i:end]):
        raise TomlError("%r is not a TOML value" % text[i:end])
    return "scalar", end, None


def _key(text, i):
    """A (dotted) key at i, whitespace around the dots allowed: (tuple of parts, end after the
    whitespace that follows it)."""
    parts = []
    while True:
        i = _ws(text, i)
        c = text[i:i + 1]
        if c == '"':
            part, i = _basic_string(text, i)
        elif c == "'":
            part, i = _literal_string(text, i)
        else:
            m = BARE_KEY.match(text, i)
            if not m:
                raise TomlError("cannot read the key")
            part, i = m.group(0), m.end()
        parts.append(part)
        i = _ws(text, i)
        if text.startswith(".", i):
            i += 1
            continue
        return tuple(parts), i


def _line_rest(text, j):
    """After a statement: optional spaces and comment, then the line end. Returns the end of the
    line (after its line end), or raises."""
    n = len(text)
    j = _ws(text, j)
    if j < n and text[j] == "#":
        k = text.find("\n", j)
        return n if k < 0 else k + 1
    if j >= n:
        return n
    if text[j] == "\n":
        return j + 1
    if text.startswith("\r\n", j):
        return j + 2
    raise TomlError("unexpected text after the statement")


def toml_statements(text):
    stmts = []
    pos = 0
    n = len(text)
    line = 1
    while pos < n:
        k = text.find("\n", pos)
        eol = n if k < 0 else k + 1
        j = _ws(text, pos)
        c = text[j:j + 1]
        if c in ("", "\n") or text.startswith("\r\n", j):
            st = Stmt("blank", pos, eol, line)
        elif c == "#":
            st = Stmt("comment", pos, eol, line)
        else:
            try:
                if c == "[":
                    array = text.startswith("[[", j)
                    key, m = _key(text, j + (2 if array else 1))
                    close = "]]" if array else "]"
                    if not text.startswith(close, m):
                        raise TomlError("malformed header")
                    st = Stmt("array" if array else "table", pos, _line_rest(text, m + len(close)), line)
                    st.key = key
                else:
                    key, m = _key(text, j)
                    if not text.startswith("=", m):
                        raise TomlError("no = after the key")
                    vs = _ws(text, m + 1)
                    kind, ve, s = _value(text, vs)
                    st = Stmt("kv", pos, _line_rest(text, ve), line)
                    st.key = key
                    st.value_span = (vs, ve)
                    st.value_kind = kind
                    st.value_str = s
            except TomlError:
                st = Stmt("unknown", pos, eol, line)
        stmts.append(st)
        line += text.count("\n", pos, st.end)
        pos = st.end
    return stmts


class Section(object):
    def __init__(self, header):
        self.header = header          # the header statement, None for the root table
        self.parts = header.key if header is not None else ()
        self.is_array = header is not None and header.kind == "array"
        self.items = []

    def kvs(self):
        return [st for st in self.items if st.kind == "kv"]


class TomlDoc(object):
    def __init__(self, text):
        self.text = text
        self.stmts = toml_statements(text)
        self.sections = [Section(None)]
        for st in self.stmts:
            if st.kind in ("table", "array"):
                self.sections.append(Section(st))
            else:
                self.sections[-1].items.append(st)


class _Flags(object):
    """tomli's flags: which tables were declared, by a header or by dotted keys (EXPLICIT_NEST),
    and which namespaces are inline values (FROZEN)."""
    FROZEN = 0
    EXPLICIT_NEST = 1

    def __init__(self):
        self._flags = {}
        self._pending = set()

    def add_pending(self, key, flag):
        self._pending.add((key, flag))

    def finalize_pending(self):
        for key, flag in self._pending:
            self.set(key, flag, False)
        self._pending.clear()

    def unset_all(self, key):
        cont = self._flags
        for k in key[:-1]:
            if k not in cont:
                return
            cont = cont[k]["nested"]
        cont.pop(key[-1], None)

    def set(self, key, flag, recursive):
        cont = self._flags
        for k in key[:-1]:
            if k not in cont:
                cont[k] = {"flags": set(), "recursive_flags": set(), "nested": {}}
            cont = cont[k]["nested"]
        if key[-1] not in cont:
            cont[key[-1]] = {"flags": set(), "recursive_flags": set(), "nested": {}}
        cont[key[-1]]["recursive_flags" if recursive else "flags"].add(flag)

    def is_(self, key, flag):
        if not key:
            return False
        cont = self._flags
        for k in key[:-1]:
            if k not in cont:
                return False
            inner = cont[k]
            if flag in inner["recursive_flags"]:
                return True
            cont = inner["nested"]
        if key[-1] in cont:
            cont = cont[key[-1]]
            return flag in cont["flags"] or flag in cont["recursive_flags"]
        return False


_VALUE = object()


def _nest(data, key):
    cont = data
    for k in key:
        if k not in cont:
            cont[k] = {}
        cont = cont[k]
        if isinstance(cont, list):
            cont = cont[-1]
        if not isinstance(cont, dict):
            raise KeyError(k)
    return cont


def dotted(parts):
    return ".".join(parts)


def toml_structure_error(doc):
    """None when the statements make a valid TOML document (as tomllib sees its tables and
    keys), else what is wrong."""
    flags = _Flags()
    data = {}
    header = ()
    for st in doc.stmts:
        name = dotted(st.key) if st.key else ""
        if st.kind == "table":
            flags.finalize_pending()
            if flags.is_(st.key, _Flags.EXPLICIT_NEST) or flags.is_(st.key, _Flags.FROZEN):
                return "line %d: table %s is already defined" % (st.line, name)
            flags.set(st.key, _Flags.EXPLICIT_NEST, False)
            try:
                _nest(data, st.key)
            except KeyError:
                return "line %d: [%s] would overwrite a value" % (st.line, name)
            header = st.key
        elif st.kind == "array":
            flags.finalize_pending()
            if flags.is_(st.key, _Flags.FROZEN):
                return "line %d: [[%s]] would change an inline value" % (st.line, name)
            flags.unset_all(st.key)
            flags.set(st.key, _Flags.EXPLICIT_NEST, False)
            try:
                cont = _nest(data, st.key[:-1])
                if st.key[-1] in cont:
                    if not isinstance(cont[st.key[-1]], list):
                        raise KeyError(name)
                    cont[st.key[-1]].append({})
                else:
                    cont[st.key[-1]] = [{}]
            except KeyError:
                return "line %d: [[%s]] would overwrite a value" % (st.line, name)
            header = st.key
        elif st.kind == "kv":
            full = header + st.key
            for i in range(1, len(st.key)):
                cont_key = header + st.key[:i]
                if flags.is_(cont_key, _Flags.EXPLICIT_NEST):
                    return "line %d: dotted key %s redefines table %s" % (st.line, name, dotted(cont_key))
                flags.add_pending(cont_key, _Flags.EXPLICIT_NEST)
            if flags.is_(full[:-1], _Flags.FROZEN):
                return "line %d: key %s would change an inline value" % (st.line, dotted(full))
            try:
                nest = _nest(data, full[:-1])
            except KeyError:
                return "line %d: key %s would overwrite a value" % (st.line, dotted(full))
            if full[-1] in nest:
                return "line %d: %s is defined twice" % (st.line, dotted(full))
            if st.value_kind in ("array", "inline"):
                flags.set(full, _Flags.FROZEN, True)
            nest[full[-1]] = _VALUE
    return None


def key_parts(name):
    """A manifest key or table name (bare keys joined by dots) as a tuple of parts."""
    parts = tuple(p.strip() for p in name.split("."))
    if not all(BARE_KEY.match(p) and BARE_KEY.match(p).end() == len(p) for p in parts):
        raise ManifestError("%r is not a dotted name of bare keys [A-Za-z0-9_-]" % name)
    return parts


def utf8_view(value):
    """value (text) as its UTF-8 bytes read as Latin-1, the way the script holds the file."""
    return value.encode("utf-8").decode("latin-1")


def from_utf8_view(value):
    return value.encode("latin-1").decode("utf-8", "replace")


def toml_string(value):
    out = []
    for c in value:
        if c in ('"', "\\"):
            out.append("\\" + c)
        elif c == "\n":
            out.append("\\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 0x20 or ord(c) == 0x7f:
            out.append("\\u%04x" % ord(c))
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def check_toml_value(value):
    try:
        _, end, _ = _value(value, 0, strict=True)
    except TomlError as e:
        raise ManifestError("value %r: %s" % (value, e))
    if end != len(value):
        raise ManifestError("value %r is not one TOML value" % value)


def toml_describe(patch):
    table = patch["toml_table"]
    if patch.get("toml_array"):
        match = ", ".join("%s=%s" % (k, toml_string(v)) for k, v in patch["toml_match"].items())
        return "[[%s]] (%s) %s" % (table, match, patch["key"])
    return "[%s] %s" % (table, patch["key"])


def block_matches(section, match):
    for mkey, mvalue in match.items():
        parts = key_parts(mkey)
        found = [st for st in section.kvs() if st.key == parts]
        if len(found) != 1 or found[0].value_str is None:
            return False
        if from_utf8_view(found[0].value_str) != mvalue:
            return False
    return True


def toml_section(doc, patch):
    """The section a TOML patch addresses, or None when its table (or block) is missing."""
    table = key_parts(patch["toml_table"])
    same = [s for s in doc.sections[1:] if s.parts == table]
    if patch.get("toml_array"):
        if any(not s.is_array for s in same):
            raise TomlError("[%s] is a table, not an array of tables [[%s]]" % (dotted(table), dotted(table)))
        blocks = [s for s in same if block_matches(s, patch["toml_match"])]
        if len(blocks) > 1:
            raise TomlError("%d [[%s]] blocks match %s" % (len(blocks), dotted(table), json.dumps(patch["toml_match"])))
        return blocks[0] if blocks else None
    if any(s.is_array for s in same):
        raise TomlError("[[%s]] is an array of tables: address a block with toml_array and toml_match" % dotted(table))
    if len(same) > 1:
        raise TomlError("[%s] is defined %d times" % (dotted(table), len(same)))
    return same[0] if same else None


def toml_key(section, key):
    found = [st for st in section.kvs() if st.key == key]
    if len(found) > 1:
        raise TomlError("%s is defined %d times in [%s]" % (dotted(key), len(found), dotted(section.parts)))
    return found[0] if found else None


def newline_of(text):
    k = text.find("\n")
    return "\r\n" if k > 0 and text[k - 1] == "\r" else "\n"


def toml_new_table(doc, table):
    """Refuses a header for a table that dotted keys define, or that lies in an array of tables."""
    for s in doc.sections:
        for st in s.kvs():
            for i in range(1, len(st.key)):
                if s.parts + st.key[:i] == table:
                    where = "[%s]" % dotted(s.parts) if s.header is not None else "the top of the file"
                    raise TomlError(
                        "table %s is defined by the dotted key %s in %s (line %d): a [%s] header would be "
                        "invalid TOML; patch table %s with key %s.<name> instead"
                        % (dotted(table), dotted(st.key), where, st.line, dotted(table),
                           dotted(s.parts) or "(top level)", dotted(st.key[:i])))
    for s in doc.sections[1:]:
        if s.is_array and len(s.parts) < len(table) and table[:len(s.parts)] == s.parts:
            raise TomlError("table %s lies inside the array of tables [[%s]]: not supported"
                            % (dotted(table), dotted(s.parts)))


def toml_patch(text, patch):
    """Returns the TOML file text with one patch applied."""
    doc = TomlDoc(text)
    table = key_parts(patch["toml_table"])
    key = key_parts(patch["key"])
    value = utf8_view(patch["value"])
    nl = newline_of(text)
    section = toml_section(doc, patch)
    if section is None:
        array = bool(patch.get("toml_array"))
        if array and not patch.get("create"):
            raise NotInPack("no [[%s]] block with %s (\"create\": true appends one)"
                            % (dotted(table), json.dumps(patch["toml_match"])))
        toml_new_table(doc, table)
        lines = []
        if array:
            lines.append("[[%s]]" % dotted(table))
            for mkey, mvalue in patch["toml_match"].items():
                lines.append("%s = %s" % (dotted(key_parts(mkey)), utf8_view(toml_string(mvalue))))
        else:
            lines.append("[%s]" % dotted(table))
        lines.append("%s = %s" % (dotted(key), value))
        head = text
        if head and not head.endswith("\n"):
            head += nl
        if head and not (head.endswith("\n\n") or head.endswith("\n\r\n") or head in ("\n", "\r\n")):
            head += nl
        return head + nl.join(lines) + nl
    st = toml_key(section, key)
    if st is not None:
        a, b = st.value_span
        if text[a:b] == value:
            return text
        return text[:a] + value + text[b:]
    kvs = section.kvs()
    anchor = kvs[-1] if kvs else section.header
    pos = anchor.end
    line = "%s = %s%s" % (dotted(key), value, nl)
    if pos == len(text) and text and not text.endswith("\n"):
        line = nl + line
    return text[:pos] + line + text[pos:]


def apply_toml(text, patch, original_ok):
    """toml_patch, then checks that the result is valid TOML and holds the value."""
    new = toml_patch(text, patch)
    if new == text:
        return text
    doc = TomlDoc(new)
    if original_ok:
        err = toml_structure_error(doc)
        if err:
            raise TomlError("%s would make the file invalid TOML: %s" % (toml_describe(patch), err))
    section = toml_section(doc, patch)
    st = toml_key(section, key_parts(patch["key"])) if section is not None else None
    if st is None or new[st.value_span[0]:st.value_span[1]] != utf8_view(patch["value"]):
        raise TomlError("%s: the value could not be placed (a line of the file cannot be read?)" % toml_describe(patch))
    return new


# --- The manifest -----------------------------------------------------------------------------

XML_KEYS = {"file", "element", "fragment", "fragment_element", "attributes", "text", "optional"}
TOML_KEYS = {"file", "toml_table", "key", "value", "toml_array", "toml_match", "create", "optional"}


def safe_relative(path):
    parts = re.split(r"[\\/]", path)
    return bool(path) and not os.path.isabs(path) and ".." not in parts


def check_patch(patch, files_only=False):
    """Raises ManifestError when a patches.json entry is malformed."""
    if not isinstance(patch, dict):
        raise ManifestError("an entry is not an object")
    rel = patch.get("file")
    if not isinstance(rel, str) or not safe_relative(rel):
        raise ManifestError("\"file\" must be a relative path inside the pack, not %r" % (rel,))
    if files_only:
        return
    for flag in ("optional", "toml_array", "create"):
        if flag in patch and not isinstance(patch[flag], bool):
            raise ManifestError("\"%s\" must be true or false" % flag)
    if "toml_table" in patch:
        unknown = sorted(set(patch) - TOML_KEYS)
        if unknown:
            raise ManifestError("a TOML entry cannot have %s" % ", ".join(unknown))
        for name in ("toml_table", "key", "value"):
            if not isinstance(patch.get(name), str):
                raise ManifestError("\"%s\" must be a string" % name)
        key_parts(patch["toml_table"])
        key = key_parts(patch["key"])
        check_toml_value(patch["value"])
        if patch.get("toml_array"):
            match = patch.get("toml_match")
            if not isinstance(match, dict) or not match or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in match.items()):
                raise ManifestError("\"toml_match\" must be an object of strings, such as {\"id\": \"WSO2UM_DB\"}")
            if any(key_parts(k) == key for k in match):
                raise ManifestError("key %s is one of the toml_match keys" % patch["key"])
        elif "toml_match" in patch or "create" in patch:
            raise ManifestError("\"toml_match\" and \"create\" go with \"toml_array\": true")
        return
    unknown = sorted(set(patch) - XML_KEYS)
    if unknown:
        raise ManifestError("an XML entry cannot have %s" % ", ".join(unknown))
    if not isinstance(patch.get("element"), str):
        raise ManifestError("\"element\" must be a string")
    try:
        parse_selector(patch["element"])
    except XmlError as e:
        raise ManifestError(str(e))
    if ("fragment" in patch) == ("text" in patch):
        raise ManifestError("an XML entry has either \"fragment\" or \"text\"")
    if "text" in patch:
        if not isinstance(patch["text"], str) or not xml_escaped(patch["text"]):
            raise ManifestError("\"text\" must be XML-escaped text")
        if "attributes" in patch or "fragment_element" in patch:
            raise ManifestError("\"attributes\" and \"fragment_element\" go with \"fragment\"")
        return
    if not isinstance(patch["fragment"], str) or not safe_relative(patch["fragment"]):
        raise ManifestError("\"fragment\" must be a relative path inside the node's folder")
    if "fragment_element" in patch:
        if not isinstance(patch["fragment_element"], str):
            raise ManifestError("\"fragment_element\" must be a string")
        try:
            parse_selector(patch["fragment_element"])
        except XmlError as e:
            raise ManifestError(str(e))
    if "attributes" in patch:
        attrs = patch["attributes"]
        if not isinstance(attrs, list) or not attrs or not all(isinstance(a, str) for a in attrs):
            raise ManifestError("\"attributes\" must be a list of attribute names")


def check_manifest(patches, files_only=False):
    if not isinstance(patches, list):
        return ["patches.json must be a list of entries"]
    errors = []
    kinds = {}
    for i, patch in enumerate(patches):
        try:
            check_patch(patch, files_only)
        except ManifestError as e:
            errors.append("patches.json entry %d: %s" % (i + 1, e))
            continue
        if not files_only:
            kind = "TOML" if "toml_table" in patch else "XML"
            if kinds.setdefault(patch["file"], kind) != kind:
                errors.append("patches.json entry %d: %s has both XML and TOML entries" % (i + 1, patch["file"]))
    return errors


def describe(patch):
    return toml_describe(patch) if "toml_table" in patch else patch["element"]


# --- Computing and writing --------------------------------------------------------------------

def compute(home, node_dir, patches, env, warnings):
    """Applies every patch in memory. Returns (originals, results, errors): the text of each
    file before and after (Latin-1 view of the bytes), in the manifest's order."""
    originals = collections.OrderedDict()
    results = collections.OrderedDict()
    errors = []
    fragments = {}
    toml_ok = {}
    absent = set()
    for patch in patches:
        rel = patch["file"]
        path = os.path.join(home, rel)
        if rel not in originals and rel not in absent:
            if not os.path.isfile(path):
                absent.add(rel)
            else:
                try:
                    originals[rel] = read_latin1(path)
                except OSError as e:
                    errors.append("%s: %s" % (rel, e))
                    originals[rel] = None
                results[rel] = originals[rel]
        if rel in absent:
            if patch.get("optional"):
                print("skipped %s %s: not in this pack" % (rel, describe(patch)))
            elif not any(e.startswith(rel + ": file not found") for e in errors):
                errors.append("%s: file not found under %s" % (rel, home))
            continue
        if originals[rel] is None:
            continue
        try:
            if "toml_table" in patch:
                if rel not in toml_ok:
                    doc = TomlDoc(originals[rel])
                    toml_ok[rel] = toml_structure_error(doc) is None
                    for st in doc.stmts:
                        if st.kind == "unknown":
                            print("warning: %s line %d cannot be read as TOML: it is left as it is and matches "
                                  "no patch" % (rel, st.line), file=sys.stderr)
                results[rel] = apply_toml(results[rel], patch, toml_ok[rel])
                continue
            fragment_text = None
            if "fragment" in patch:
                fpath = os.path.join(node_dir, patch["fragment"])
                if fpath not in fragments:
                    try:
                        with open(fpath, encoding="utf-8") as f:
                            fragments[fpath] = f.read()
                    except (OSError, UnicodeDecodeError) as e:
                        errors.append("%s: %s" % (patch["fragment"], e))
                        continue
                fragment_text = fragments[fpath]
            results[rel] = patch_text(results[rel], patch, fragment_text, env, warnings)
        except NotInPack as e:
            if patch.get("optional"):
                print("skipped %s %s: not in this pack" % (rel, describe(patch)))
            else:
                errors.append("%s: %s" % (rel, e))
        except (XmlError, TomlError, ManifestError) as e:
            errors.append("%s: %s" % (rel, e))
    toml_files = {p["file"] for p in patches if "toml_table" in p}
    for rel in results:
        if results[rel] is not None and results[rel] != originals[rel] and rel not in toml_files:
            try:
                scan(results[rel])
            except XmlError as e:
                errors.append("%s: the patched file would not be well-formed XML: %s" % (rel, e))
    return originals, results, errors


def _temp_copy(path, data, mode):
    fd, tmp = tempfile.mkstemp(prefix=".obkm-", dir=os.path.dirname(path))
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode & 0o7777)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return tmp


def write_all(items):
    """items: (path, bytes, mode). Every temporary file is written first, then each is moved
    into place with os.replace, so a failure while writing leaves every file as it was."""
    temps = []
    try:
        for path, data, mode in items:
            temps.append((_temp_copy(path, data, mode), path))
    except BaseException:
        for tmp, _ in temps:
            if os.path.exists(tmp):
                os.unlink(tmp)
        raise
    for tmp, path in temps:
        os.replace(tmp, path)


def write_atomic(path, text):
    write_all([(path, text.encode("latin-1"), os.stat(path).st_mode)])


def out(text):
    """Writes the Latin-1 view of file bytes to stdout as those bytes."""
    sys.stdout.flush()
    buf = getattr(sys.stdout, "buffer", None)
    if buf is None:
        sys.stdout.write(text)
    else:
        buf.write(text.encode("latin-1"))
        buf.flush()


def print_diff(rel, before, after):
    for line in difflib.unified_diff(before.splitlines(True), after.splitlines(True),
                                     fromfile=rel, tofile=rel + " (applied)"):
        if not line.endswith("\n"):
            line += "\n\\ No newline at end of file\n"
        out(line)


def restore(home, patches):
    files = []
    for patch in patches:
        if patch["file"] not in files:
            files.append(patch["file"])
    backups = []
    errors = []
    for rel in files:
        path = os.path.join(home, rel)
        backup = path + ".obkm-backup"
        if not os.path.lexists(backup):
            continue
        try:
            if not os.path.isfile(backup):
                raise OSError("not a regular file")
            with open(backup, "rb") as f:
                data = f.read()
            mode = os.stat(path).st_mode if os.path.exists(path) else os.stat(backup).st_mode
        except OSError as e:
            errors.append("%s: cannot read %s: %s" % (rel, os.path.basename(backup), e))
            continue
        backups.append((rel, path, backup, data, mode))
    if errors:
        for e in errors:
            print("error: " + e, file=sys.stderr)
        print("nothing was restored", file=sys.stderr)
        return 2
    if not backups:
        print("no backup to restore: none of the node's %d file(s) has a .obkm-backup under %s" % (len(files), home))
        return 0
    try:
        write_all([(path, data, mode) for _, path, _, data, mode in backups])
    except OSError as e:
        print("error: %s" % e, file=sys.stderr)
        print("nothing was restored", file=sys.stderr)
        return 2
    for rel, _, backup, _, _ in backups:
        os.unlink(backup)
        print("restored %s (from %s, removed)" % (rel, os.path.basename(backup)))
    restored = {b[0] for b in backups}
    for rel in files:
        if rel not in restored:
            print("no backup of %s" % rel)
    print("%d file(s) restored" % len(backups))
    return 0


def find_node(bundle, node):
    for folder in ("key-manager", "api-manager"):
        node_dir = os.path.join(bundle, folder, node)
        if os.path.isfile(os.path.join(node_dir, "patches.json")):
            return node_dir
    return None


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--node", required=True,
                    help="the node id, such as km-1 (key-manager/<node>/, else api-manager/<node>/)")
    ap.add_argument("--home", required=True, help="the installed pack, such as WSO2_OB_KM_HOME")
    ap.add_argument("--bundle", default=os.path.dirname(here), help="the unpacked bundle (default: beside this script)")
    ap.add_argument("--dry-run", action="store_true", help="say which files would change, write nothing")
    ap.add_argument("--check", action="store_true",
                    help="print the diff of what would change, write nothing; exit 1 if anything would change")
    ap.add_argument("--restore", action="store_true", help="put the .obkm-backup copies back, and remove them")
    ap.add_argument("--allow-placeholders", action="store_true",
                    help="leave unset @@NAME@@ placeholders in place (with a warning) instead of refusing")
    args = ap.parse_args(argv)
    if args.restore and (args.check or args.dry_run):
        ap.error("--restore cannot be combined with --check or --dry-run")

    if not re.match(r"[A-Za-z0-9_][A-Za-z0-9_.-]*$", args.node) or ".." in args.node:
        print("error: %r is not a node id" % args.node, file=sys.stderr)
        return 2
    node_dir = find_node(args.bundle, args.node)
    if node_dir is None:
        print("error: no patches for node %r (neither key-manager/%s/patches.json nor api-manager/%s/patches.json "
              "is in %s)" % (args.node, args.node, args.node, args.bundle), file=sys.stderr)
        return 2
    patches_path = os.path.join(node_dir, "patches.json")
    try:
        with open(patches_path, encoding="utf-8") as f:
            patches = json.load(f, object_pairs_hook=collections.OrderedDict)
    except (OSError, ValueError) as e:
        print("error: %s: %s" % (patches_path, e), file=sys.stderr)
        return 2
    errors = check_manifest(patches, files_only=args.restore)
    if errors:
        for e in errors:
            print("error: %s: %s" % (node_dir, e), file=sys.stderr)
        print("nothing was changed", file=sys.stderr)
        return 2
    if not os.path.isdir(args.home):
        print("error: %s is not a directory" % args.home, file=sys.stderr)
        return 2
    if args.restore:
        return restore(args.home, patches)

    warnings = {}
    originals, results, errors = compute(args.home, node_dir, patches, dict(os.environ), warnings)
    unset = sorted(warnings)
    if unset and args.allow_placeholders:
        for name in unset:
            print("warning: %s is not set: its @@%s@@ placeholders stay in %s (set it and run again)"
                  % (name, name, ", ".join(sorted(warnings[name]))), file=sys.stderr)
    elif unset:
        for name in unset:
            print("error: %s is not set (or empty): @@%s@@ is needed by %s"
                  % (name, name, ", ".join(sorted(warnings[name]))), file=sys.stderr)
        print("set these variables, or run with --allow-placeholders to leave the placeholders in place",
              file=sys.stderr)
    if errors or (unset and not args.allow_placeholders):
        for e in errors:
            print("error: " + e, file=sys.stderr)
        print("nothing was changed", file=sys.stderr)
        return 2

    changed = [rel for rel in results if results[rel] != originals[rel]]
    if args.check:
        for rel in changed:
            print_diff(rel, originals[rel], results[rel])
        print("%d file(s) would change, %d unchanged" % (len(changed), len(results) - len(changed)))
        return 1 if changed else 0
    for rel in results:
        if rel not in changed:
            print("unchanged %s" % rel)
        elif args.dry_run:
            print("would patch %s" % rel)
    if args.dry_run:
        print("%d file(s) would change, %d unchanged" % (len(changed), len(results) - len(changed)))
        return 0
    if not changed:
        print("0 file(s) changed, %d unchanged" % len(results))
        return 0

    try:
        backups = []
        for rel in changed:
            path = os.path.join(args.home, rel)
            backup = path + ".obkm-backup"
            if not os.path.exists(backup):
                backups.append((backup, originals[rel].encode("latin-1"), os.stat(path).st_mode))
        # The backups first (each written whole, then moved into place), then the patched files.
        write_all(backups)
        write_all([(os.path.join(args.home, rel), results[rel].encode("latin-1"),
                    os.stat(os.path.join(args.home, rel)).st_mode) for rel in changed])
    except OSError as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    for rel in changed:
        print("patched %s (backup: %s)" % (rel, os.path.basename(rel) + ".obkm-backup"))
    print("%d file(s) changed, %d unchanged" % (len(changed), len(results) - len(changed)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
