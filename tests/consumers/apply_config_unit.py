#!/usr/bin/env python3
"""Unit tests of src/export/apply-config.py, with small synthetic bundles, against copies of the
real packs in ../shared/wso2-pack (relative to the repository root; never written to).

    python3 tests/consumers/apply_config_unit.py [NAME_PART ...]

The script runs in a subprocess under this interpreter, or under OBKM_APPLY_PYTHON when set
(for instance a Python 3.6, the oldest the nodes have). Its Python 3.6 compatibility is also
checked with vermin (OBKM_PYTHON's interpreter, the project's venv, else this one; never
skipped). The last line is "N passed, M failed"; the exit status is 1 on failure.
"""
import difflib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import traceback
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "src", "export", "apply-config.py")
PACKS = os.path.normpath(os.path.join(ROOT, "..", "shared", "wso2-pack"))
PYTHON = os.environ.get("OBKM_APPLY_PYTHON") or sys.executable
TOML = "repository/conf/deployment.toml"
IDENTITY = "repository/conf/identity/identity.xml"
AUTHN = "repository/conf/identity/application-authentication.xml"
CARBON = "repository/conf/carbon.xml"
CATALINA = "repository/conf/tomcat/catalina-server.xml"
APIM = "repository/conf/api-manager.xml"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'

TESTS = []


def test(fn):
    TESTS.append(fn)
    return fn


def load_module():
    spec = importlib.util.spec_from_file_location("apply_config", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class Case:
    """A temporary folder with a bundle and a copy of one pack."""

    def __init__(self, pack):
        self.tmp = tempfile.mkdtemp(prefix="obkm-unit-")
        self.bundle = os.path.join(self.tmp, "bundle")
        self.home = os.path.join(self.tmp, "pack")
        shutil.copytree(os.path.join(PACKS, pack), self.home)
        # The shared tree is read-only: the copy must be writable, as an installed pack is.
        for d, dirs, files in os.walk(self.home):
            os.chmod(d, 0o755)
            for f in files:
                os.chmod(os.path.join(d, f), 0o644)
        self.pristine = snapshot(self.home)

    def node(self, patches, fragments=None, node="km-1", folder="key-manager"):
        d = os.path.join(self.bundle, folder, node)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "patches.json"), "w", encoding="utf-8") as f:
            if isinstance(patches, str):
                f.write(patches)
            else:
                json.dump(patches, f, indent=2)
        for rel, text in (fragments or {}).items():
            p = os.path.join(d, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "w", encoding="utf-8") as f:
                f.write(text)
        return d

    def run(self, *args, env=None, node="km-1"):
        e = {k: v for k, v in os.environ.items() if not k.startswith("OBKM_UT_")}
        e.update(env or {})
        return subprocess.run([PYTHON, SCRIPT, "--bundle", self.bundle, "--node", node, "--home", self.home] + list(args),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=e, universal_newlines=True)

    def read(self, rel):
        with open(os.path.join(self.home, rel), "rb") as f:
            return f.read()

    def write(self, rel, data):
        with open(os.path.join(self.home, rel), "wb") as f:
            f.write(data)
        self.pristine = snapshot(self.home)

    def original(self, rel):
        return self.pristine[rel]

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def snapshot(root):
    out = {}
    for d, _, files in os.walk(root):
        for f in files:
            p = os.path.join(d, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root).replace(os.sep, "/")] = fh.read()
    return out


def changes(before, after):
    """The changed line ranges: [(old lines, new lines)]."""
    a = before.decode("latin-1").splitlines(True)
    b = after.decode("latin-1").splitlines(True)
    return [(a[i1:i2], b[j1:j2]) for tag, i1, i2, j1, j2 in
            difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes() if tag != "equal"]


def ok(r, what=""):
    assert r.returncode == 0, "%s exit %d\n%s%s" % (what, r.returncode, r.stdout, r.stderr)


def refused(case, r, *needles):
    assert r.returncode == 2, "exit %d, want 2\n%s%s" % (r.returncode, r.stdout, r.stderr)
    for n in needles:
        assert n in r.stderr, "%r not in stderr:\n%s" % (n, r.stderr)
    assert "nothing was changed" in r.stderr, r.stderr
    assert snapshot(case.home) == case.pristine, "files were written"


def text_patch(file, element, text, **extra):
    p = {"file": file, "element": element, "text": text}
    p.update(extra)
    return p


def toml_patch(table, key, value, **extra):
    p = {"file": TOML, "toml_table": table, "key": key, "value": value}
    p.update(extra)
    return p


def flatten(value, prefix=()):
    """Every key path of a parsed TOML document with its value (arrays of tables by index)."""
    out = {}
    if isinstance(value, dict):
        for k, v in value.items():
            out.update(flatten(v, prefix + (k,)))
    elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
        for i, v in enumerate(value):
            out.update(flatten(v, prefix + (i,)))
    else:
        out[prefix] = value
    return out


# --- The module -------------------------------------------------------------------------------

@test
def module_keeps_its_functions():
    mod = load_module()
    for name in ("main", "scan", "select", "read_latin1"):
        assert callable(getattr(mod, name)), name
    text = "<a><b x='1'>t</b><b x='2'/></a>"
    assert [e.attrs["x"] for e in mod.select(text, mod.scan(text), "/a/b[@x='2']")] == ["2"]


@test
def vermin_python_3_6():
    # The project's venv has vermin (tests/consumers/requirements.txt): a missing one is a failure.
    py = os.environ.get("OBKM_PYTHON") or sys.executable
    r = subprocess.run([py, "-c", "import sys, vermin; sys.argv[0] = 'vermin'; sys.exit(vermin.main())",
                        "-t=3.6-", "--violations", "--no-tips", SCRIPT],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    assert r.returncode == 0, "vermin (in %s) failed or found violations:\n%s" % (py, r.stdout)


# --- XML text patches -------------------------------------------------------------------------

@test
def text_patch_on_identity_xml():
    with Case("ob-km-1.5") as c:
        url = "${carbon.protocol}://am.example.com:8243/authorize"
        c.node([text_patch(IDENTITY, "/Server/OAuth/OAuth2AuthzEPUrl", url)])
        ok(c.run())
        after = c.read(IDENTITY)
        root = ET.fromstring(after)
        ns = {"c": "http://wso2.org/projects/carbon/carbon.xml"}
        assert root.find("c:OAuth/c:OAuth2AuthzEPUrl", ns).text == url
        assert changes(c.original(IDENTITY), after) == [
            (["        <OAuth2AuthzEPUrl>${carbon.protocol}://localhost:8243/authorize</OAuth2AuthzEPUrl>\n"],
             ["        <OAuth2AuthzEPUrl>%s</OAuth2AuthzEPUrl>\n" % url])]
        snap = snapshot(c.home)
        assert snap[IDENTITY + ".obkm-backup"] == c.original(IDENTITY)
        assert {k: v for k, v in snap.items() if k not in (IDENTITY, IDENTITY + ".obkm-backup")} == \
            {k: v for k, v in c.pristine.items() if k != IDENTITY}
        r = c.run()
        ok(r)
        assert "0 file(s) changed" in r.stdout and snapshot(c.home) == snap


@test
def text_patch_on_an_authenticator_parameter():
    with Case("ob-km-1.5") as c:
        sel = ("/ApplicationAuthentication/AuthenticatorConfigs/AuthenticatorConfig[@name='SMSOTP']"
               "/Parameter[@name='SMSOTPAuthenticationEndpointURL']")
        url = "https://iam.example.com/smsotpauthenticationendpoint/smsotp.jsp?a=1&amp;b=2"
        c.node([text_patch(AUTHN, sel, url)])
        ok(c.run())
        after = c.read(AUTHN)
        root = ET.fromstring(after)
        ns = {"a": "http://wso2.org/projects/carbon/application-authentication.xml"}
        p = root.find("a:AuthenticatorConfigs/a:AuthenticatorConfig[@name='SMSOTP']/"
                      "a:Parameter[@name='SMSOTPAuthenticationEndpointURL']", ns)
        assert p.text == url.replace("&amp;", "&")
        ch = changes(c.original(AUTHN), after)
        assert len(ch) == 1 and len(ch[0][0]) == 1 and "SMSOTPAuthenticationEndpointURL" in ch[0][1][0], ch


@test
def text_patch_on_a_self_closing_element():
    with Case("ob-km-1.5") as c:
        c.node([text_patch(IDENTITY, "/Server/Identity/System/KeyStore", "${carbon.home}/ks.jks")])
        ok(c.run())
        ch = changes(c.original(IDENTITY), c.read(IDENTITY))
        assert ch == [(["            <KeyStore/>\n"], ["            <KeyStore>${carbon.home}/ks.jks</KeyStore>\n"])], ch
        ET.fromstring(c.read(IDENTITY))
        r = c.run()
        assert "0 file(s) changed" in r.stdout


@test
def text_patch_refuses_an_element_with_children():
    with Case("ob-km-1.5") as c:
        c.node([text_patch(IDENTITY, "/Server/OAuth", "x")])
        refused(c, c.run(), "/Server/OAuth has child elements")


@test
def optional_patches_are_skipped():
    with Case("ob-km-1.5") as c:
        c.node([
            text_patch(IDENTITY, "/Server/OAuth/NoSuchElement", "x", optional=True),
            text_patch("repository/conf/identity/no-such-file.xml", "/Server/X", "x", optional=True),
            text_patch(IDENTITY, "/Server/OAuth/OAuth2AuthzEPUrl", "https://am.example.com/authorize"),
        ])
        r = c.run()
        ok(r)
        assert "skipped %s /Server/OAuth/NoSuchElement: not in this pack" % IDENTITY in r.stdout, r.stdout
        assert "skipped repository/conf/identity/no-such-file.xml /Server/X: not in this pack" in r.stdout, r.stdout
        assert b"<OAuth2AuthzEPUrl>https://am.example.com/authorize<" in c.read(IDENTITY)


@test
def missing_element_refused_nothing_written():
    with Case("ob-km-1.5") as c:
        c.node([
            text_patch(CARBON, "/Server/HostName", "km.example.com"),
            text_patch(IDENTITY, "/Server/OAuth/NoSuchElement", "x"),
        ])
        refused(c, c.run(), "element /Server/OAuth/NoSuchElement not found")
        refused(c, c.run("--check"), "element /Server/OAuth/NoSuchElement not found")
        c.node([text_patch("repository/conf/nope.xml", "/a", "x")])
        refused(c, c.run(), "repository/conf/nope.xml: file not found")


@test
def element_and_attribute_patches_still_work():
    with Case("ob-km-1.5") as c:
        c.node([
            {"file": CARBON, "element": "/Server/HostName", "fragment": "fragments/HostName.xml"},
            {"file": CATALINA, "element": "/Server/Service/Connector[@port='9443']", "fragment": "fragments/c.xml",
             "fragment_element": "/Connectors/Connector[@port='9443']", "attributes": ["proxyPort"]},
        ], {"fragments/HostName.xml": XML_HEAD + "<HostName>km.example.com</HostName>\n",
            "fragments/c.xml": XML_HEAD + '<Connectors><Connector port="9443" proxyPort="8443"/></Connectors>\n'})
        ok(c.run())
        assert changes(c.original(CARBON), c.read(CARBON)) == [
            (["    <HostName>localhost</HostName>\n"], ["    <HostName>km.example.com</HostName>\n"])]
        cat = ET.fromstring(c.read(CATALINA))
        assert {x.get("port"): x.get("proxyPort") for x in cat.iter("Connector")}["9443"] == "8443"
        ch = changes(c.original(CATALINA), c.read(CATALINA))
        assert len(ch) == 1 and len(ch[0][0]) == 1 and 'proxyPort="8443"' in ch[0][1][0], ch


# --- Placeholders -----------------------------------------------------------------------------

def placeholder_node(c):
    c.node([
        {"file": CARBON, "element": "/Server/HostName", "fragment": "fragments/HostName.xml"},
        {"file": CATALINA, "element": "/Server/Service/Connector[@port='9443']", "fragment": "fragments/c.xml",
         "fragment_element": "/Connectors/Connector[@port='9443']", "attributes": ["proxyName"]},
        text_patch(IDENTITY, "/Server/OAuth/OAuth2AuthzEPUrl", "https://@@OBKM_UT_HOST@@/authorize?x=@@OBKM_UT_SECRET@@"),
    ], {"fragments/HostName.xml": XML_HEAD + "<HostName>@@OBKM_UT_HOST@@</HostName>\n",
        "fragments/c.xml": XML_HEAD + '<Connectors><Connector port="9443" proxyName="@@OBKM_UT_PROXY@@"/></Connectors>\n'})


@test
def unset_placeholder_refused():
    with Case("ob-km-1.5") as c:
        placeholder_node(c)
        r = c.run(env={"OBKM_UT_HOST": "km.example.com", "OBKM_UT_SECRET": ""})
        refused(c, r, "OBKM_UT_PROXY", "OBKM_UT_SECRET")
        lines = [l for l in r.stderr.splitlines() if "OBKM_UT_" in l and "not set" in l]
        assert len(lines) == 2, r.stderr
        assert any("OBKM_UT_PROXY" in l and CATALINA in l for l in lines), lines
        assert any("OBKM_UT_SECRET" in l and IDENTITY in l for l in lines), lines
        assert "OBKM_UT_HOST" not in r.stderr
        refused(c, c.run("--dry-run"), "OBKM_UT_HOST")
        refused(c, c.run("--check"), "OBKM_UT_HOST")


@test
def allow_placeholders_leaves_them():
    with Case("ob-km-1.5") as c:
        placeholder_node(c)
        r = c.run("--allow-placeholders", env={"OBKM_UT_HOST": "km.example.com"})
        ok(r)
        assert "warning: OBKM_UT_PROXY is not set" in r.stderr and "warning: OBKM_UT_SECRET is not set" in r.stderr
        assert b'proxyName="@@OBKM_UT_PROXY@@"' in c.read(CATALINA)
        assert b"<OAuth2AuthzEPUrl>https://km.example.com/authorize?x=@@OBKM_UT_SECRET@@<" in c.read(IDENTITY)
        assert b"<HostName>km.example.com</HostName>" in c.read(CARBON)


@test
def placeholder_values_are_escaped():
    with Case("ob-km-1.5") as c:
        placeholder_node(c)
        nasty = "a<b&c\"d'e>f"
        ok(c.run(env={"OBKM_UT_HOST": nasty, "OBKM_UT_SECRET": nasty, "OBKM_UT_PROXY": nasty}))
        esc = b"a&lt;b&amp;c&quot;d&apos;e&gt;f"
        assert b"<HostName>" + esc + b"</HostName>" in c.read(CARBON)
        ns = {"c": "http://wso2.org/projects/carbon/carbon.xml"}
        assert ET.fromstring(c.read(CARBON)).find("c:HostName", ns).text == nasty
        assert ET.fromstring(c.read(IDENTITY)).find("c:OAuth/c:OAuth2AuthzEPUrl", ns).text == \
            "https://%s/authorize?x=%s" % (nasty, nasty)
        proxies = {x.get("port"): x.get("proxyName") for x in ET.fromstring(c.read(CATALINA)).iter("Connector")}
        assert proxies["9443"] == nasty, proxies


# --- TOML -------------------------------------------------------------------------------------

TOML_PATCHES = [
    toml_patch("server", "hostname", '"km.example.com"'),
    toml_patch("server", "offset", "4"),
    toml_patch("database.apim_db.pool_options", "validationQuery", '"SELECT 1 FROM DUAL"'),
    toml_patch("database.apim_db.pool_options", "validationInterval", '"60000"'),
    toml_patch("open_banking_database", "config.url", '"jdbc:mysql://db.example.com:3306/OB_DB"'),
    toml_patch("datasource", "pool_options.maxActive", '"300"', toml_array=True, toml_match={"id": "WSO2UM_DB"}),
    toml_patch("datasource", "url", '"jdbc:mysql://db.example.com:3306/UM_DB"', toml_array=True,
               toml_match={"id": "WSO2UM_DB"}),
    toml_patch("server", "force_local_cache", "true"),
    toml_patch("clustering", "membership_scheme", '"wka"'),
    toml_patch("open_banking_database.config.pool_options", "maxActive", '"200"'),
    toml_patch("clustering", "members", '["10.0.1.11:4000", "10.0.1.12:4000"]'),
    toml_patch("clustering", "properties.KUBERNETES_NAMESPACE", '"$env{OBKM_NS}"'),
]

PATCHED = {
    ("server", "hostname"): "km.example.com",
    ("server", "offset"): 4,
    ("database", "apim_db", "pool_options", "validationQuery"): "SELECT 1 FROM DUAL",
    ("database", "apim_db", "pool_options", "validationInterval"): "60000",
    ("open_banking_database", "config", "url"): "jdbc:mysql://db.example.com:3306/OB_DB",
    ("datasource", 0, "pool_options", "maxActive"): "300",
    ("datasource", 0, "url"): "jdbc:mysql://db.example.com:3306/UM_DB",
    ("open_banking_database", "config", "pool_options", "maxActive"): "200",
}
ADDED = {
    ("server", "force_local_cache"): True,
    ("clustering", "membership_scheme"): "wka",
    ("clustering", "members"): ["10.0.1.11:4000", "10.0.1.12:4000"],
    ("clustering", "properties", "KUBERNETES_NAMESPACE"): "$env{OBKM_NS}",
}


@test
def toml_patches_on_deployment_toml():
    with Case("ob-iam-2.0") as c:
        c.node(TOML_PATCHES)
        ok(c.run())
        before, after = c.original(TOML), c.read(TOML)
        want = flatten(tomllib.loads(before.decode("utf-8")))
        want.update(PATCHED)
        want.update(ADDED)
        got = flatten(tomllib.loads(after.decode("utf-8")))
        assert got == want, sorted(set(got.items()) ^ set(want.items()), key=str)
        # Exactly these lines changed, in their own sections, and the new ones are where they belong.
        lines = before.decode().splitlines(True)

        def at(header, key):
            i = lines.index(header + "\n")
            return next(k for k in range(i + 1, len(lines)) if lines[k].replace(" ", "").startswith(key + "="))

        want_lines = list(lines)
        for header, key, line in [
                ("[server]", "hostname", 'hostname = "km.example.com"'),
                ("[server]", "offset", "offset = 4\nforce_local_cache = true"),
                ("[database.apim_db.pool_options]", "validationQuery", 'validationQuery= "SELECT 1 FROM DUAL"'),
                ("[database.apim_db.pool_options]", "validationInterval", 'validationInterval="60000"'),
                ("[open_banking_database]", "config.url", 'config.url = "jdbc:mysql://db.example.com:3306/OB_DB"'),
                ("[[datasource]]", "pool_options.maxActive", 'pool_options.maxActive = "300"'),
                ("[[datasource]]", "url", 'url = "jdbc:mysql://db.example.com:3306/UM_DB"'),
                ("[open_banking_database.config.pool_options]", "maxActive", 'maxActive = "200"')]:
            want_lines[at(header, key)] = line + "\n"
        want_text = "".join(want_lines) + (
            '\n[clustering]\nmembership_scheme = "wka"\nmembers = ["10.0.1.11:4000", "10.0.1.12:4000"]\n'
            'properties.KUBERNETES_NAMESPACE = "$env{OBKM_NS}"\n')
        assert after.decode() == want_text, "".join(difflib.unified_diff(
            want_text.splitlines(True), after.decode().splitlines(True), "want", "got"))
        # Idempotent.
        r = c.run()
        ok(r)
        assert "0 file(s) changed" in r.stdout and c.read(TOML) == after
        assert c.read(TOML + ".obkm-backup") == before


@test
def toml_keeps_comments_spacing_and_skips_multiline_values():
    with Case("ob-iam-2.0") as c:
        text = c.original(TOML).decode()
        text = text.replace('offset = 3\n', 'offset   =   3   # the port offset\n'
                            'motd = """\n[not_a_table]\nkey = "inside a string"\n"""\n'
                            'allowed = [\n  "a",  # [fake]\n  "b",\n]\n'
                            "literal = '''\nhostname = \"no\"\n'''\n"
                            '"quoted.key" = 1\n', 1)
        c.write(TOML, text.encode())
        c.node([toml_patch("server", "offset", "5"), toml_patch("server", "added", '"x"'),
                toml_patch("not_a_table", "key", '"real"'), toml_patch("server", "hostname", '"km"')])
        ok(c.run())
        after = c.read(TOML).decode()
        assert 'offset   =   5   # the port offset\n' in after
        assert "literal = '''\nhostname = \"no\"\n'''\n\"quoted.key\" = 1\nadded = \"x\"\n" in after, after[:800]
        assert after.endswith('\n[not_a_table]\nkey = "real"\n')
        assert 'hostname = "km"\n' in after and '[not_a_table]\nkey = "inside a string"\n' in after
        d = tomllib.loads(after)
        assert d["server"]["offset"] == 5 and d["server"]["motd"].startswith("[not_a_table]")
        assert d["not_a_table"] == {"key": "real"}
        assert d["server"]["quoted.key"] == 1 and d["server"]["hostname"] == "km"


@test
def toml_crlf_and_no_final_newline():
    with Case("ob-iam-2.0") as c:
        text = c.original(TOML).decode().rstrip("\n").replace("\n", "\r\n")
        c.write(TOML, text.encode())
        last = "open_banking.account_id_validation_on_retrieval"
        c.node([toml_patch("server", "hostname", '"km"'), toml_patch("server", "new_key", "1"),
                toml_patch(last, "other", "2"), toml_patch("clustering", "membership_scheme", '"wka"')])
        ok(c.run())
        after = c.read(TOML).decode()
        assert after.startswith('#================configs related to carbon.xml=============\r\n[server]\r\nhostname = "km"\r\n')
        assert "offset = 3\r\nnew_key = 1\r\n\r\n[keystore.primary]" in after
        assert after.endswith("[%s]\r\nenable = false\r\nother = 2\r\n\r\n[clustering]\r\nmembership_scheme = \"wka\"\r\n"
                              % last), repr(after[-120:])
        assert "\n" not in after.replace("\r\n", "")
        d = tomllib.loads(after)
        assert d["clustering"] == {"membership_scheme": "wka"} and d["open_banking"]["account_id_validation_on_retrieval"] == \
            {"enable": False, "other": 2}


@test
def toml_unreadable_line_does_not_crash():
    with Case("ob-iam-2.0") as c:
        text = c.original(TOML).decode().replace('offset = 3\n', 'offset = 3\nthis line is not toml\n"a".b = 2\n', 1)
        c.write(TOML, text.encode())
        c.node([toml_patch("server", "mode", '"cluster"'), toml_patch("server", "b", "3")])
        r = c.run()
        ok(r)
        assert "cannot be read as TOML" in r.stderr, r.stderr
        after = c.read(TOML).decode()
        assert 'this line is not toml\n"a".b = 2\nb = 3\n' in after and 'mode = "cluster"\n' in after


@test
def toml_table_defined_by_dotted_keys_refused():
    with Case("ob-iam-2.0") as c:
        c.node([toml_patch("server", "hostname", '"km"'), toml_patch("open_banking_database.config", "url", '"x"')])
        refused(c, c.run(), "open_banking_database.config is defined by the dotted key config.url")
        c.node([toml_patch("open_banking_database", "config.pool_options.maxActive", '"1"')])
        refused(c, c.run(), "invalid TOML")
        c.node([toml_patch("server", "hostname.sub", '"1"')])
        refused(c, c.run(), "invalid TOML")


@test
def toml_array_block_missing():
    with Case("ob-iam-2.0") as c:
        match = {"id": "WSO2SHARED_DB"}
        c.node([toml_patch("datasource", "url", '"jdbc:x"', toml_array=True, toml_match=match)])
        refused(c, c.run(), 'no [[datasource]] block with {"id": "WSO2SHARED_DB"}')
        c.node([toml_patch("datasource", "url", '"jdbc:x"', toml_array=True, toml_match=match, optional=True)])
        r = c.run()
        ok(r)
        assert "skipped %s [[datasource]]" % TOML in r.stdout and snapshot(c.home) == c.pristine, r.stdout
        c.node([toml_patch("datasource", "url", '"jdbc:x"', toml_array=True, toml_match=match, create=True),
                toml_patch("datasource", "username", '"u"', toml_array=True, toml_match=match, create=True)])
        ok(c.run())
        after = c.read(TOML).decode()
        assert after.endswith('\n[[datasource]]\nid = "WSO2SHARED_DB"\nurl = "jdbc:x"\nusername = "u"\n'), after[-200:]
        ds = tomllib.loads(after)["datasource"]
        assert [d["id"] for d in ds] == ["WSO2UM_DB", "WSO2SHARED_DB"] and ds[1]["username"] == "u"
        r = c.run()
        assert "0 file(s) changed" in r.stdout, r.stdout


@test
def toml_table_that_is_an_array_refused():
    with Case("ob-iam-2.0") as c:
        c.node([toml_patch("datasource", "url", '"x"')])
        refused(c, c.run(), "[[datasource]] is an array of tables")


# --- --check, --restore, --dry-run ------------------------------------------------------------

def mixed_node(c):
    c.node([toml_patch("server", "hostname", '"km.example.com"')], node="km-1")


@test
def check_reports_drift():
    with Case("ob-iam-2.0") as c:
        mixed_node(c)
        r = c.run("--check")
        assert r.returncode == 1, r.stdout + r.stderr
        assert "--- %s\n+++ %s (applied)\n" % (TOML, TOML) in r.stdout, r.stdout
        assert '\n-hostname = "localhost"\n+hostname = "km.example.com"\n' in r.stdout, r.stdout
        assert snapshot(c.home) == c.pristine
        r = c.run("--dry-run")
        ok(r)
        assert "would patch %s" % TOML in r.stdout and snapshot(c.home) == c.pristine
        ok(c.run())
        r = c.run("--check")
        ok(r, "check after apply")
        assert "---" not in r.stdout and "+++" not in r.stdout, r.stdout


@test
def restore_brings_back_the_originals():
    with Case("ob-km-1.5") as c:
        c.node([text_patch(IDENTITY, "/Server/OAuth/OAuth2AuthzEPUrl", "https://x/authorize"),
                text_patch(CARBON, "/Server/HostName", "km.example.com"),
                text_patch(AUTHN, "/ApplicationAuthentication/Nope", "x", optional=True)])
        ok(c.run())
        assert snapshot(c.home) != c.pristine
        r = c.run("--restore")
        ok(r)
        assert "2 file(s) restored" in r.stdout, r.stdout
        assert snapshot(c.home) == c.pristine, "restore did not bring back the original bytes (or left backups)"
        r = c.run("--restore")
        ok(r)
        assert "no backup" in r.stdout
        for bad in (["--restore", "--check"], ["--restore", "--dry-run"]):
            r = c.run(*bad)
            assert r.returncode == 2 and snapshot(c.home) == c.pristine, r.stderr
        # An unreadable backup: nothing restored.
        ok(c.run())
        patched = snapshot(c.home)
        os.remove(os.path.join(c.home, CARBON + ".obkm-backup"))
        os.mkdir(os.path.join(c.home, CARBON + ".obkm-backup"))
        r = c.run("--restore")
        assert r.returncode == 2 and "nothing was restored" in r.stderr, r.stderr
        assert {k: v for k, v in snapshot(c.home).items()} == \
            {k: v for k, v in patched.items() if k != CARBON + ".obkm-backup"}


@test
def restore_of_toml():
    with Case("ob-iam-2.0") as c:
        c.node(TOML_PATCHES)
        ok(c.run())
        ok(c.run("--restore"))
        assert snapshot(c.home) == c.pristine


# --- Nodes and manifests ----------------------------------------------------------------------

@test
def api_manager_node():
    with Case("ob-am-1.5") as c:
        url = "https://km.example.com:9443${carbon.context}services/"
        c.node([text_patch(APIM, "/APIManager/AuthManager/ServerURL", url),
                text_patch(APIM, "/APIManager/APIKeyValidator/ServerURL", url)], node="am-1", folder="api-manager")
        ok(c.run(node="am-1"))
        root = ET.fromstring(c.read(APIM))
        assert root.findtext("AuthManager/ServerURL") == url and root.findtext("APIKeyValidator/ServerURL") == url
        assert len(changes(c.original(APIM), c.read(APIM))) == 2
        # key-manager/<node> comes first.
        c.node([text_patch(APIM, "/APIManager/AuthManager/ServerURL", "https://first/")], node="am-1")
        ok(c.run(node="am-1"))
        assert ET.fromstring(c.read(APIM)).findtext("AuthManager/ServerURL") == "https://first/"
        r = c.run(node="am-9")
        assert r.returncode == 2 and "api-manager/am-9/patches.json" in r.stderr, r.stderr


@test
def bad_manifests_refused():
    bad = [
        "{not json",
        json.dumps({"file": CARBON}),
        json.dumps([{"file": CARBON, "element": "/Server/HostName", "text": "x", "fragment": "f.xml"}]),
        json.dumps([{"file": CARBON, "element": "/Server/HostName", "txet": "x"}]),
        json.dumps([{"file": CARBON, "element": "/Server/HostName", "text": "a < b"}]),
        json.dumps([{"file": "../outside.xml", "element": "/a", "text": "x"}]),
        json.dumps([toml_patch("server", "hostname", "localhost")]),
        json.dumps([toml_patch("server", "hostname", '"a" "b"')]),
        json.dumps([toml_patch("datasource", "url", '"x"', toml_array=True)]),
        json.dumps([toml_patch("server", "hostname", '"x"', element="/a")]),
    ]
    with Case("ob-km-1.5") as c:
        for text in bad:
            c.node(text)
            r = c.run()
            assert r.returncode == 2, "%s: exit %d %s" % (text, r.returncode, r.stdout)
            assert snapshot(c.home) == c.pristine


def main(argv):
    if not os.path.isdir(PACKS):
        print("the real packs are missing at %s" % PACKS)
        print("0 passed, 1 failed")
        return 1
    selected = [t for t in TESTS if not argv or any(a in t.__name__ for a in argv)]
    passed = failed = 0
    for t in selected:
        try:
            t()
        except Exception:
            failed += 1
            print("FAIL %s\n%s" % (t.__name__, traceback.format_exc()))
        else:
            passed += 1
            print("ok   %s" % t.__name__)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
