"""Discover rule modules in ``rules/`` (a pkgutil walk) and validate them.

The discovered set is pinned by a test against the README's rule table, so the
walk cannot silently lose a rule.
"""
from __future__ import annotations

import importlib
import pkgutil
import re
from functools import lru_cache

from hos_lint.rule import Catalog, Rule

_CODE = re.compile(r"^HOS\d{3}$")
_NAME = re.compile(r"^[a-z]+(-[a-z0-9]+)*$")


class RegistryError(Exception):
    """A rule module is malformed (a bug in hos-lint, not in the user's project)."""


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    import hos_lint.rules as rules

    found: list[Rule] = []
    for info in sorted(pkgutil.iter_modules(rules.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"hos_lint.rules.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            raise RegistryError(f"rules/{info.name}.py defines no RULE = Rule(...)")
        _validate(rule, info.name, found)
        found.append(rule)
    return Catalog(tuple(sorted(found, key=lambda r: r.code)))


def _validate(rule: Rule, module: str, seen: list[Rule]) -> None:
    if not _CODE.match(rule.code):
        raise RegistryError(f"rules/{module}.py: code {rule.code!r} is not HOS plus three digits")
    if not _NAME.match(rule.name):
        raise RegistryError(f"rules/{module}.py: name {rule.name!r} is not kebab-case")
    expected = f"{rule.code.lower()}_{rule.name.replace('-', '_')}"
    if module != expected:
        raise RegistryError(f"rules/{module}.py: module must be named {expected}.py")
    if any(r.code == rule.code or r.name == rule.name for r in seen):
        raise RegistryError(f"rules/{module}.py: duplicate code or name {rule.code} {rule.name}")
    checks = (rule.check_access, rule.check_accesses, rule.check_project, rule.check_suppressions)
    if all(check is None for check in checks):
        raise RegistryError(f"rules/{module}.py: RULE has no check function")
