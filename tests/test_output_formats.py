"""CI output formats: SARIF 2.1.0 (validated against the vendored OASIS schema),
GitHub workflow commands, JUnit XML and the Markdown summary. Exact results."""
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

import hos_lint
from hos_lint import app
from hos_lint.app import RunResult
from hos_lint.baseline import Entry, fingerprint
from hos_lint.model import AccessKind, Anchor, FileNotice, Finding, Location, Severity
from hos_lint.output import RenderOptions, github, junit, markdown, sarif
from hos_lint.registry import load_catalog

SCHEMA = json.loads((Path(__file__).parent / "data/sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
CATALOG = load_catalog()
OPTIONS = RenderOptions()

WRITE = Finding(code="HOS101", name="cross-service-write", severity=Severity.ERROR,
                location=Location("services/order/db/a.sql", 2, 13), service="order",
                message="order writes auth_service.users (owned by auth) with DELETE",
                relation="auth_service.users", owner="auth", access=AccessKind.WRITE, operation="DELETE",
                anchor=Anchor(2, 2, "DELETE FROM auth_service.users WHERE id = 1"))
DYNAMIC = Finding(code="HOS205", name="dynamic-sql", severity=Severity.WARNING,
                  location=Location("services/order/src/q.ts", 7, 5), service="order",
                  message="SQL built at run time", hint="pass a constant query")
# HOS102 defaults to error; a legacy service reports it at info.
READ = Finding(code="HOS102", name="cross-service-read", severity=Severity.INFO,
               location=Location("services/legacy/x.sql", 1, 15), service="legacy",
               message="legacy reads order_service.orders (owned by order) directly",
               relation="order_service.orders", owner="order", access=AccessKind.READ, operation="SELECT")
NOTICE = FileNotice(path="services/order/big.sql", reason="larger than 8 MiB")


def result(findings=(WRITE, DYNAMIC, READ), **kw) -> RunResult:
    base = dict(findings=tuple(findings), files_scanned=4, services=("auth", "legacy", "order"),
                notices=(NOTICE,), root="/home/someone/project")
    return RunResult(**{**base, **kw})


def validate_sarif(text: str) -> dict:
    """Parse, check the schema's draft, validate; return the document."""
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    doc = json.loads(text)
    jsonschema.Draft7Validator(SCHEMA).validate(doc)
    return doc


# --- SARIF ---------------------------------------------------------------------------------


def test_sarif_validates_and_has_the_header():
    doc = validate_sarif(sarif.render(result(), CATALOG, OPTIONS))
    assert doc["$schema"] == sarif.SCHEMA_URI
    assert doc["version"] == "2.1.0"
    assert len(doc["runs"]) == 1
    driver = doc["runs"][0]["tool"]["driver"]
    assert (driver["name"], driver["informationUri"], driver["version"]) == \
        ("hos-lint", "https://pypi.org/project/hos-lint/", hos_lint.__version__)


def test_the_schema_check_is_not_vacuous():
    doc = json.loads(sarif.render(result(), CATALOG, OPTIONS))
    doc["runs"][0]["results"][0]["level"] = "info"  # not a SARIF level
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(doc)


def test_sarif_results_are_exact():
    run = validate_sarif(sarif.render(result(), CATALOG, OPTIONS))["runs"][0]
    got = [(r["ruleId"], r["ruleIndex"], r["level"], r["message"]["text"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["partialFingerprints"]) for r in run["results"]]
    assert got == [
        ("HOS101", 0, "error", WRITE.message, "services/order/db/a.sql", "%SRCROOT%", 2, 13,
         {"hosLint/v1": fingerprint(WRITE)}),
        ("HOS205", 10, "warning", "SQL built at run time", "services/order/src/q.ts", "%SRCROOT%", 7, 5,
         {"hosLint/v1": fingerprint(DYNAMIC)}),
        ("HOS102", 1, "note", READ.message, "services/legacy/x.sql", "%SRCROOT%", 1, 15,
         {"hosLint/v1": fingerprint(READ)}),
    ]
    assert [CATALOG.rules[r["ruleIndex"]].code for r in run["results"]] == ["HOS101", "HOS205", "HOS102"]


def test_sarif_result_properties_leave_out_absent_facts():
    run = json.loads(sarif.render(result(), CATALOG, OPTIONS))["runs"][0]
    assert [r["properties"] for r in run["results"]] == [
        {"service": "order", "relation": "auth_service.users", "owner": "auth", "access": "write",
         "operation": "DELETE"},
        {"service": "order", "hint": "pass a constant query"},
        {"service": "legacy", "relation": "order_service.orders", "owner": "order", "access": "read",
         "operation": "SELECT"},
    ]


def test_sarif_message_is_the_facts_and_the_hint_is_a_property():
    """The way out is not in the SARIF message (other formats join it): it is the
    result property ``hint``; the rule's ``help`` holds the full documentation."""
    run = validate_sarif(sarif.render(result([DYNAMIC]), CATALOG, OPTIONS))["runs"][0]
    (found,) = run["results"]
    assert found["message"] == {"text": "SQL built at run time"}
    assert found["properties"]["hint"] == "pass a constant query"
    assert "fixes" not in found
    help_text = run["tool"]["driver"]["rules"][found["ruleIndex"]]["help"]["text"]
    assert help_text == CATALOG.get("HOS205").doc.strip()


def test_fingerprint_hashes_message_and_hint_joined_as_before_the_split():
    """A finding without a statement anchor is fingerprinted by its joined text,
    so baselines written when message and hint were one field still match."""
    assert fingerprint(DYNAMIC) == "e65403520a8c400d75dd"
    assert fingerprint(replace(DYNAMIC, hint="")) != fingerprint(DYNAMIC)


def test_sarif_fingerprint_ignores_the_line():
    moved = replace(WRITE, location=Location("services/order/db/a.sql", 40, 1))
    runs = [json.loads(sarif.render(result([f]), CATALOG, OPTIONS))["runs"][0] for f in (WRITE, moved)]
    prints = [run["results"][0]["partialFingerprints"]["hosLint/v1"] for run in runs]
    assert prints[0] == prints[1] and re.fullmatch(r"[0-9a-f]{20}", prints[0])


def test_sarif_has_metadata_for_every_rule():
    rules = json.loads(sarif.render(result(), CATALOG, OPTIONS))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CATALOG.codes)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for desc, rule in zip(rules, CATALOG.rules):
        assert desc["name"] == rule.name
        assert desc["shortDescription"] == {"text": rule.summary}
        assert desc["fullDescription"] == {"text": rule.sections()["What it does"]}
        assert desc["help"] == {"text": rule.doc.strip(), "markdown": rule.doc.strip()}
        assert desc["defaultConfiguration"] == {"level": levels[rule.severity.value]}


def test_sarif_rule_descriptor_is_exact_for_one_rule():
    rule = CATALOG.get("HOS205")
    desc = sarif.rule_descriptor(rule)
    assert list(desc) == ["id", "name", "shortDescription", "fullDescription", "help",
                          "defaultConfiguration", "properties"]
    assert (desc["id"], desc["name"], desc["shortDescription"]["text"], desc["defaultConfiguration"]) == (
        "HOS205", "dynamic-sql", "SQL built at run time whose relations cannot be known statically",
        {"level": "warning"})
    assert desc["properties"] == {"tags": ["data-ownership", "ownership-configuration"]}
    tags = {r.code: sarif.rule_descriptor(r)["properties"]["tags"][1] for r in CATALOG.rules}
    assert (tags["HOS101"], tags["HOS301"], tags["HOS901"]) == ("cross-service-access", "grants", "analysis")


def test_sarif_run_fields_invocation_and_notices():
    run = validate_sarif(sarif.render(result(), CATALOG, OPTIONS))["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"description": {"text": "The repository root."}}}
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": [{
        "level": "warning",
        "message": {"text": "services/order/big.sql: not analysed: larger than 8 MiB"},
        "locations": [{"physicalLocation": {"artifactLocation": {
            "uri": "services/order/big.sql", "uriBaseId": "%SRCROOT%"}}}],
    }]}]
    assert run["properties"] == {"filesScanned": 4, "services": ["auth", "legacy", "order"],
                                 "suppressed": 0, "baselined": 0, "failOn": "error", "failed": True}


def test_sarif_stale_baseline_entries_are_notes():
    stale = (Entry(fingerprint="0" * 20, code="HOS101", path="services/order/db/old.sql",
                   relation="auth_service.users"),
             Entry(fingerprint="1" * 20, code="HOS902", path="services/order/db/old.sql"))
    run = validate_sarif(sarif.render(result([], notices=(), stale=stale, baselined=2), CATALOG, OPTIONS))["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notes] == [
        ("note", "services/order/db/old.sql: stale baseline entry HOS101 auth_service.users no longer occurs; "
                 "run `hos-lint baseline` to drop it"),
        ("note", "services/order/db/old.sql: stale baseline entry HOS902 no longer occurs; "
                 "run `hos-lint baseline` to drop it"),
    ]
    assert run["results"] == [] and run["properties"]["baselined"] == 2 and run["properties"]["failed"] is False


def test_sarif_without_notices_has_no_notification_list():
    run = validate_sarif(sarif.render(result(notices=()), CATALOG, OPTIONS))["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": True}]


_URI_CHARS = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]*")


@pytest.mark.parametrize("path, uri", [
    ("services/order/db/a b.sql", "services/order/db/a%20b.sql"),
    ("services/order/db/50%#1?.sql", "services/order/db/50%25%231%3F.sql"),
    ("services/order/db/zähler.sql", "services/order/db/z%C3%A4hler.sql"),
    ("services/order/db/plain-name_1.sql", "services/order/db/plain-name_1.sql"),
])
def test_sarif_uris_are_percent_encoded(path, uri):
    f = replace(WRITE, location=Location(path, 1, 1))
    run = validate_sarif(sarif.render(result([f]), CATALOG, OPTIONS))["runs"][0]
    got = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert got == uri and _URI_CHARS.fullmatch(got)


def test_sarif_is_deterministic_and_machine_independent():
    first = sarif.render(result(), CATALOG, OPTIONS)
    assert first == sarif.render(result(duration_s=9.5), CATALOG, OPTIONS)
    assert "/home/someone" not in first and "file://" not in first


# --- GitHub --------------------------------------------------------------------------------


def test_github_lines_are_exact():
    assert github.render(result(), CATALOG, OPTIONS) == (
        "::error file=services/order/db/a.sql,line=2,col=13,title=HOS101 cross-service-write::"
        "order writes auth_service.users (owned by auth) with DELETE\n"
        "::warning file=services/order/src/q.ts,line=7,col=5,title=HOS205 dynamic-sql::"
        "SQL built at run time; pass a constant query\n"
        "::notice file=services/legacy/x.sql,line=1,col=15,title=HOS102 cross-service-read::"
        "legacy reads order_service.orders (owned by order) directly\n"
        "Found 3 problems (1 error, 1 warning, 1 info) in 4 files across 3 services; "
        "1 file not analysed (0.00s).\n"
    )


def test_github_escapes_message_and_properties():
    f = replace(WRITE, location=Location("services/or,der/a:b%.sql", 3, 1),
                message="100% of rows, then: more\r\nsecond line")
    assert github.annotation(f) == (
        "::error file=services/or%2Cder/a%3Ab%25.sql,line=3,col=1,title=HOS101 cross-service-write::"
        "100%25 of rows, then: more%0D%0Asecond line"
    )


def test_github_escape_helpers_do_not_touch_plain_text():
    assert github.escape_data("a, b: c") == "a, b: c"
    assert github.escape_property("services/order/db/a.sql") == "services/order/db/a.sql"
    assert github.escape_data("%0A") == "%250A"  # an escape in the input is not decoded by GitHub


def test_github_without_findings_is_only_the_summary():
    assert github.render(result([], notices=()), CATALOG, OPTIONS) == \
        "No problems found in 4 files across 3 services (0.00s).\n"


def _many(severity, n, path="services/order/db/m.sql"):
    return [replace(WRITE, severity=severity, location=Location(path, line, 1)) for line in range(1, n + 1)]


def test_github_orders_by_severity_keeping_the_sorted_order_within_a_level():
    out = github.render(result([READ, DYNAMIC, WRITE]), CATALOG, OPTIONS).splitlines()
    assert [l.split(" ", 1)[0] for l in out[:3]] == ["::error", "::warning", "::notice"]


def test_github_caps_each_level_and_says_where_the_rest_are():
    findings = _many(Severity.ERROR, 12) + _many(Severity.WARNING, 3, "services/order/db/w.sql") + \
        _many(Severity.INFO, 10, "services/order/db/i.sql")
    out = github.render(result(findings, notices=()), CATALOG, RenderOptions(max_annotations=10)).splitlines()
    errors = [l for l in out if l.startswith("::error ")]
    warnings = [l for l in out if l.startswith("::warning ")]
    notices = [l for l in out if l.startswith("::notice ")]
    assert [e.split(",")[1] for e in errors] == [f"line={n}" for n in range(1, 11)]  # the first ten, in order
    assert len(warnings) == 3
    # nine info annotations: the notice saying what is held back is the tenth of its level
    assert len(notices) == 10 and notices[:9] == [l for l in notices if "file=services/order/db/i.sql" in l]
    assert notices[9] == (
        "::notice title=hos-lint%3A 3 of 25 findings not annotated::At most 10 annotations of each level per "
        "step (GitHub shows the first 10). Not annotated: 2 errors and 1 info finding; see this step's log below.")
    assert out[out.index(notices[9]) + 1:] == [
        "HOS101 services/order/db/m.sql:11:1: order writes auth_service.users (owned by auth) with DELETE",
        "HOS101 services/order/db/m.sql:12:1: order writes auth_service.users (owned by auth) with DELETE",
        "HOS101 services/order/db/i.sql:10:1: order writes auth_service.users (owned by auth) with DELETE",
        "Found 25 problems (12 errors, 3 warnings, 10 info) in 4 files across 3 services (0.00s).",
    ]


def test_github_at_the_cap_prints_everything_and_no_notice():
    findings = _many(Severity.ERROR, 10) + _many(Severity.WARNING, 10, "w.sql") + _many(Severity.INFO, 10, "i.sql")
    out = github.render(result(findings, notices=()), CATALOG, OPTIONS).splitlines()
    assert len(out) == 31 and sum(1 for l in out if l.startswith("::")) == 30
    assert "not annotated" not in "\n".join(out)


def test_github_cap_comes_from_the_result_unless_the_options_say_otherwise():
    findings = _many(Severity.WARNING, 3)
    from_manifest = github.render(result(findings, max_annotations=2), CATALOG, OPTIONS)
    assert from_manifest.count("::warning ") == 2 and "Not annotated: 1 warning;" in from_manifest
    assert github.render(result(findings, max_annotations=2), CATALOG, RenderOptions(max_annotations=0)) \
        .count("::warning ") == 3  # 0: no cap
    one = github.render(result(findings, notices=()), CATALOG, RenderOptions(max_annotations=1,
                                                                    elsewhere=("the job summary", "hos-lint.sarif")))
    assert one.splitlines()[:2] == [
        "::warning file=services/order/db/m.sql,line=1,col=1,title=HOS101 cross-service-write::"
        "order writes auth_service.users (owned by auth) with DELETE",
        "::notice title=hos-lint%3A 2 of 3 findings not annotated::At most 1 annotation of each level per step "
        "(GitHub shows the first 10). Not annotated: 2 warnings; see this step's log below, the job summary, "
        "hos-lint.sarif."]


def test_github_held_back_lines_cannot_become_workflow_commands():
    evil = [replace(WRITE, location=Location("::error file=x::owned.sql", n, 1), message="a\n::warning::b")
            for n in (1, 2)]
    out = github.render(result(evil, notices=()), CATALOG, RenderOptions(max_annotations=1)).splitlines()
    assert out[2] == "HOS101 ::error file=x::owned.sql:2:1: a%0A::warning::b"  # starts with the code
    assert [l for l in out if l.startswith("::")] == [out[0], out[1]]


# --- JUnit ---------------------------------------------------------------------------------


def suite_of(text: str) -> ET.Element:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    (suite,) = list(root)
    assert suite.tag == "testsuite"
    return suite


def test_junit_counts_and_cases_are_exact():
    text = junit.render(result(), CATALOG, OPTIONS)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="hos-lint" tests="3" '
                           'failures="2" errors="0" skipped="1">\n')
    suite = suite_of(text)
    assert suite.attrib == {"name": "hos-lint", "tests": "3", "failures": "2", "errors": "0", "skipped": "1"}
    cases = [c for c in suite if c.tag == "testcase"]
    got = [(c.attrib["classname"], c.attrib["name"], [(e.tag, dict(e.attrib), e.text) for e in c])
           for c in cases]
    assert got == [
        ("services/order/db/a.sql", "HOS101 services/order/db/a.sql:2:13",
         [("failure", {"type": "HOS101", "message": WRITE.message},
           f"services/order/db/a.sql:2:13: HOS101 {WRITE.message}")]),
        ("services/order/src/q.ts", "HOS205 services/order/src/q.ts:7:5",
         [("failure", {"type": "HOS205", "message": DYNAMIC.full_message},
           f"services/order/src/q.ts:7:5: HOS205 {DYNAMIC.full_message}")]),
        ("services/legacy/x.sql", "HOS102 services/legacy/x.sql:1:15",
         [("skipped", {"message": READ.message}, None)]),
    ]
    assert suite.find("system-err").text == "services/order/big.sql: not analysed: larger than 8 MiB\n"


def test_junit_without_findings_has_one_passing_case():
    suite = suite_of(junit.render(result([], notices=()), CATALOG, OPTIONS))
    assert suite.attrib == {"name": "hos-lint", "tests": "1", "failures": "0", "errors": "0", "skipped": "0"}
    assert [(c.tag, c.attrib, list(c)) for c in suite] == \
        [("testcase", {"classname": "hos-lint", "name": "hos-lint"}, [])]


def test_junit_survives_characters_xml_cannot_hold():
    f = replace(WRITE, message="bad \x01 byte & <tag> \"quoted\"\nnext")
    (case,) = suite_of(junit.render(result([f], notices=()), CATALOG, OPTIONS))
    assert case.find("failure").attrib["message"] == "bad \ufffd byte & <tag> \"quoted\"\nnext"


# --- Markdown ------------------------------------------------------------------------------

GOLDEN = """\
## ❌ hos-lint: failed

**3 findings** (1 error, 1 warning, 1 info) in 4 files across 3 services · fail on: error · 1 file not analysed

### By rule

| Code | Name | Severity | Count |
| --- | --- | --- | ---: |
| HOS101 | cross-service-write | error | 1 |
| HOS102 | cross-service-read | info | 1 |
| HOS205 | dynamic-sql | warning | 1 |

### By service

| Service | Count |
| --- | ---: |
| order | 2 |
| legacy | 1 |

### Not analysed

- `services/order/big.sql`: larger than 8 MiB

### Findings

| Location | Code | Message |
| --- | --- | --- |
| `services/order/db/a.sql:2` | HOS101 | order writes auth_service.users (owned by auth) with DELETE |
| `services/order/src/q.ts:7` | HOS205 | SQL built at run time; pass a constant query |
| `services/legacy/x.sql:1` | HOS102 | legacy reads order_service.orders (owned by order) directly |
"""


def test_markdown_golden():
    assert markdown.render(result(), CATALOG, OPTIONS) == GOLDEN


def test_markdown_passing_run_with_baseline_and_stale_entries():
    stale = (Entry(fingerprint="0" * 20, code="HOS101", path="services/order/db/old.sql",
                   relation="auth_service.users"),)
    text = markdown.render(result([READ], notices=(), suppressed=2, baselined=5, stale=stale), CATALOG, OPTIONS)
    assert text == """\
## ✅ hos-lint: passed

**1 finding** (1 info) in 4 files across 3 services · fail on: error · 2 suppressed

### By rule

| Code | Name | Severity | Count |
| --- | --- | --- | ---: |
| HOS102 | cross-service-read | info | 1 |

### By service

| Service | Count |
| --- | ---: |
| legacy | 1 |

### Baseline

1 new · 5 baselined

1 stale entry (no longer occur; run `hos-lint baseline` to drop them):

- HOS101 auth_service.users in `services/order/db/old.sql`

### Findings

| Location | Code | Message |
| --- | --- | --- |
| `services/legacy/x.sql:1` | HOS102 | legacy reads order_service.orders (owned by order) directly |
"""


def test_markdown_clean_run_is_heading_and_totals():
    text = markdown.render(result([], notices=(), files_scanned=1, services=("order",)), CATALOG, OPTIONS)
    assert text == "## ✅ hos-lint: passed\n\n**0 findings** in 1 file across 1 service · fail on: error\n"


def test_markdown_escapes_cells():
    f = replace(WRITE, service=None, location=Location("services/a|b/`x`.sql", 4, 1),
                message="a | b <script>\nsecond line")
    text = markdown.render(result([f], notices=()), CATALOG, OPTIONS)
    assert "| (no service) | 1 |" in text.splitlines()
    assert text.splitlines()[-1] == r"| ``services/a\|b/`x`.sql:4`` | HOS101 | a \| b &lt;script> second line |"


def test_markdown_lists_fifty_findings_then_the_rest_as_a_count():
    many = [replace(WRITE, location=Location("services/order/db/a.sql", n, 1)) for n in range(1, 54)]
    lines = markdown.render(result(many, notices=()), CATALOG, OPTIONS).splitlines()
    rows = [l for l in lines if l.startswith("| `services/order/db/a.sql:")]
    assert [r.split("`")[1] for r in rows] == [f"services/order/db/a.sql:{n}" for n in range(1, 51)]
    assert lines[-1] == "…and 3 more."
    assert "| HOS101 | cross-service-write | error | 53 |" in lines


def test_markdown_fifty_exactly_has_no_more_line():
    many = [replace(WRITE, location=Location("services/order/db/a.sql", n, 1)) for n in range(1, 51)]
    lines = markdown.render(result(many, notices=()), CATALOG, OPTIONS).splitlines()
    assert lines[-1].startswith("| `services/order/db/a.sql:50` |")


def test_markdown_code_span_fences():
    assert markdown.code("plain") == "`plain`"
    assert markdown.code("a`b") == "``a`b``"
    assert markdown.code("`x") == "`` `x ``"


# --- end to end ----------------------------------------------------------------------------


def test_end_to_end_sarif_of_a_real_run(tmp_path):
    (tmp_path / "hos-lint.yaml").write_text(
        "version: 1\nservices:\n  order: {schema: order_service}\n  auth: {schema: auth_service}\n")
    db = tmp_path / "services/order/db"
    db.mkdir(parents=True)
    (db / "a.sql").write_text("SELECT 1;\nDELETE FROM auth_service.users WHERE id = 1;\n")
    run_result = app.run(app.Options(paths=(str(tmp_path),), cache=False))
    doc = validate_sarif(sarif.render(run_result, load_catalog(), OPTIONS))
    results = doc["runs"][0]["results"]
    got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
            r["properties"]) for r in results]
    assert got == [("HOS101", "error", "services/order/db/a.sql", 2, 13,
                    {"service": "order", "relation": "auth_service.users", "owner": "auth",
                     "access": "write", "operation": "DELETE",
                     "hint": "publish an event or call the auth API instead of writing its tables"})]
    assert results[0]["message"]["text"] == run_result.findings[0].message == \
        "order writes auth_service.users (owned by auth) with DELETE"
    assert results[0]["partialFingerprints"] == {"hosLint/v1": fingerprint(run_result.findings[0])}
    assert str(tmp_path) not in json.dumps(doc)


@pytest.mark.parametrize(("path", "mark"), [
    ("services/order/src/a.ts", "//"), ("services/order/prisma/schema.prisma", "//"),
    ("services/order/db/a.sql", "--"), ("services/order/db/A.SQL", "--"),
    ("services/order/app/a.py", "#"), ("services/order/scripts/a.sh", "#"),
    ("services/order/.env.local", "#"), ("docker-compose.yml", "#"), ("hos-lint.yaml", "#"),
    # look-alikes: a TypeScript file named like an env file, one in a folder named so
    ("services/order/.env.ts", "//"), ("services/order/.envs/a.ts", "//"),
])
def test_why_writes_the_suppression_in_the_comment_syntax_hos_lint_reads_the_file_in(path: str, mark: str):
    from hos_lint.output import why

    finding = Finding(code="HOS102", location=Location(path, 3, 1), message="m", severity=Severity.ERROR,
                      service="order")
    assert why._ways_out(finding)[1] == f"    or suppress with a reason: {mark} hos-lint: ignore[HOS102] " \
                                        "<why this is acceptable>"
