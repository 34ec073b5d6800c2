"""The manifest's JSON Schema (shipped in the package, printed by `hos-lint schema`)
and the hand-written validator agree: on every manifest in the repository (fixtures,
README and docs examples, and every manifest text in the tests), and on a corpus of
invalid ones. The schema cannot see what needs more than the document's shape (an
`allow:` service must be declared, a glob must be usable, a key must not be written
twice): those are the validator's alone, listed in VALIDATOR_ONLY."""
import ast
import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from hos_lint.cli import cli
from hos_lint.manifest import ManifestError, json_schema, parse_manifest

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads(json_schema())
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
# validator messages the schema cannot express (the manifest's shape is still right)
VALIDATOR_ONLY = re.compile(r"expected one of the services|duplicate key, first defined|too many wildcards|"
                            r"invalid glob|invalid YAML|YAML refused")


def schema_errors(text: str) -> list[str]:
    data = yaml.safe_load(text)
    doc = json.loads(json.dumps(data, default=str))  # what an editor sees: keys are strings
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(doc)]


def validator_errors(text: str) -> list[str]:
    try:
        parse_manifest(text, root="/repo")
    except ManifestError as err:
        return err.errors
    return []


def repository_manifests() -> dict[str, str]:
    """Every manifest text in the repository, by where it is."""
    found: dict[str, str] = {}
    for path in sorted(ROOT.rglob("*.yaml")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name in ("hos-lint.yaml", ".hos-lint.yaml") or path.name.startswith("hos-lint."):
            if not rel.startswith((".venv/", "tests/oracle/")) and "node_modules" not in rel:
                found[rel] = path.read_text(encoding="utf-8")
    for doc in [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").rglob("*.md"))]:
        for i, block in enumerate(re.findall(r"```ya?ml\n(.*?)```", doc.read_text(encoding="utf-8"), re.DOTALL)):
            if re.search(r"^services:", block, re.MULTILINE):
                found[f"{doc.relative_to(ROOT).as_posix()} yaml block {i}"] = block
    for path in sorted((ROOT / "tests").rglob("*.py")):
        if path.name == Path(__file__).name:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and \
                    re.match(r"(version: 1\n)?services:\n", node.value):
                found[f"{path.relative_to(ROOT).as_posix()}:{node.lineno}"] = node.value
    return found


MANIFESTS = repository_manifests()


def test_the_corpus_holds_the_fixtures_the_readme_and_the_tests():
    names = set(MANIFESTS)
    assert {"fixtures/hos-marketplace/hos-lint.yaml", "fixtures/monolith-split/hos-lint.reviewed.yaml"} <= names
    assert any(n.startswith("README.md yaml block") for n in names)
    assert sum(1 for n in names if n.startswith("tests/")) > 50


def test_the_schema_is_valid_draft_07_and_printed_by_hos_lint_schema():
    jsonschema.Draft7Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    result = CliRunner().invoke(cli, ["schema"])
    assert result.exit_code == 0 and json.loads(result.stdout) == SCHEMA
    shipped = (ROOT / "linter/hos-lint.schema.json").read_text(encoding="utf-8")
    assert result.stdout == shipped


def test_schema_and_validator_agree_on_every_manifest_in_the_repository():
    valid = invalid = 0
    for where, text in MANIFESTS.items():
        try:
            yaml.safe_load(text)
        except yaml.YAMLError:
            continue  # not a YAML document: no schema applies (the validator says `invalid YAML`)
        ours, theirs = validator_errors(text), schema_errors(text)
        if not ours:
            valid += 1
            assert theirs == [], where
        elif all(VALIDATOR_ONLY.search(e) for e in ours):
            assert theirs == [], (where, ours)  # right shape, wrong beyond what a schema says
        else:
            invalid += 1
            assert theirs, (where, ours)
    assert valid >= 30 and invalid >= 5


INVALID = [
    "",
    "[]\n",
    "version: 1\n",
    "version: 2\nservices: {}\n",
    "version: true\nservices: {}\n",
    "version:\nservices: {}\n",
    "services:\n",
    "services: [a, b]\n",
    "services: {}\nunknown: 1\n",
    "services: {a: [x]}\n",
    "services: {a: {schema: [x, y]}}\n",
    "services: {a: {schema: 3}}\n",
    "services: {a: {schemas: a_service}}\n",
    "services: {a: {legacy: maybe}}\n",
    "services: {a: {legacy: }}\n",
    "services: {a: {paths: {x: 1}}}\n",
    "services: {a: {paths: [services/a, 3]}}\n",
    "services: {a: {tables: 7}}\n",
    "services: {a: {prisma_clients: [[db]]}}\n",
    "services: {a: {role: [r]}}\n",
    "services: {a: {}}\nallow: {service: a}\n",
    "services: {a: {}}\nallow: [a]\n",
    "services: {a: {}}\nallow:\n  - service: a\n    read: [x.y]\n",
    "services: {a: {}}\nallow:\n  - service: a\n    reason: '   '\n",
    "services: {a: {}}\nallow:\n  - service: 3\n    reason: r\n",
    "services: {a: {}}\nallow:\n  - service: a\n    reason: r\n    delete: [x.y]\n",
    "services: {a: {}}\nallow:\n  - service: a\n    reason: r\n    read: {x: y}\n",
    "services: {}\nexclude: {a: b}\n",
    "services: {}\nextend-exclude: [1]\n",
    "services: {}\nrespect-gitignore: 'no'\n",
    "services: {}\nrespect-gitignore:\n",
    "services: {}\nrules: [HOS101]\n",
    "services: {}\nrules: {fail_on: sometimes}\n",
    "services: {}\nrules: {fail_on: }\n",
    "services: {}\nrules: {fail-on: error}\n",
    "services: {}\nrules: {severity: {HOS102: fatal}}\n",
    "services: {}\nrules: {severity: [HOS102]}\n",
    "services: {}\nrules: {severity: ''}\n",
    "services: {}\nrules: {select: {a: b}}\n",
    "services: {}\nrules: {ignore: [[HOS1]]}\n",
    "services: {}\nprisma_clients: 3\n",
    "services: {}\nroot: /abs\n",
    "services: {}\nroot: 'C:\\x'\n",
    "services: {}\nroot: '  '\n",
    "services: {}\nroot: [a]\n",
    "services: {}\nmax-annotations: -1\n",
    "services: {}\nmax-annotations: ten\n",
    "services: {}\nmax-annotations: true\n",
    "services: {}\nmax-annotations: 2.5\n",
    "services: {}\nmax-annotations:\n",
]


@pytest.mark.parametrize("text", INVALID)
def test_both_reject_every_invalid_manifest(text):
    assert validator_errors(text)
    assert schema_errors(text)


VALID = [
    "services: {}\n",
    "version: 1.0\nservices: {a: , b: {schema: b_service}}\n",
    "services: {a: {paths: services/a, tables: users, prisma_clients: db, role: a_rw, schema: }}\n",
    "services: {a: {legacy: false}}\nallow:\nrules:\nexclude: []\nextend-exclude: '*.spec.ts'\nprisma_clients:\n",
    "services: {a: {}}\nallow:\n  - {service: a, read: x.y, write: [x.z], reason: reviewed}\n",
    "services: {}\nrules: {select: HOS1, ignore: [HOS203], severity: {HOS102: info, cross-service-write: warning}, "
    "fail_on: never}\n",
    "services: {}\nrules: {severity: }\nroot: ../app\nrespect-gitignore: false\nmax-annotations: 0\n",
    "services: {}\nmax-annotations: 10.0\n",
    "services: {1: {schema: one}}\n",
]


@pytest.mark.parametrize("text", VALID)
def test_both_accept_every_valid_manifest(text):
    assert validator_errors(text) == []
    assert schema_errors(text) == []


@pytest.mark.parametrize(("text", "message"), [
    ("services: {a: {}}\nallow:\n  - {service: b, reason: r}\n", "expected one of the services, got 'b'"),
    ("services: {a: {}}\nservices: {b: {}}\n", "duplicate key, first defined at line 1"),
    ("services: {}\nexclude: ['**/a/**/b/**']\n", "too many wildcards to match safely"),
])
def test_what_only_the_validator_sees(text, message):
    assert schema_errors(text) == []
    assert message in validator_errors(text)[0]
