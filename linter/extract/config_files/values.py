"""Configured values with unresolved parts, and the two interpolations that
build them: compose / dotenv (``${V:-d}``, ``$V``, ``$$``) and Kubernetes
dependent variables (``$(VAR)``)."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# Stands in for an unresolved part of a value while it is parsed; it cannot
# occur in a YAML or .env value, so anything containing it is unknown.
UNKNOWN = "\x00"


@dataclass(frozen=True, slots=True)
class Value:
    """A configured value after interpolation: ``text`` keeps unresolved
    references as written (for the report); ``probe`` has each replaced by
    ``UNKNOWN`` (for parsing)."""

    text: str
    probe: str

    @classmethod
    def literal(cls, text: str) -> Value:
        return cls(text, text)

    @classmethod
    def unknown(cls, text: str) -> Value:
        return cls(text, UNKNOWN)

    def __add__(self, other: Value) -> Value:
        return Value(self.text + other.text, self.probe + other.probe)


EMPTY = Value("", "")
_VAR = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:?[-?+])?")


def interpolate(text: str, env: Mapping[str, Value]) -> Value:
    """Compose / dotenv interpolation of ``text`` against the variables known in ``env``.

    ``${V:-d}`` gives V when known and non-empty, else d; ``${V-d}`` V when
    known, else d; ``${V:?e}`` / ``${V?e}`` and plain ``${V}`` / ``$V`` give V
    when known, else stay unresolved; ``${V:+r}`` / ``${V+r}`` give r when V is
    known (and non-empty for ``:+``), "" when known empty, else unresolved.
    ``$$`` is a literal ``$``. Defaults are interpolated too (they may nest).
    """
    out, i, start = EMPTY, 0, 0
    while (i := text.find("$", i)) != -1:
        piece, end = _dollar(text, i, env)
        if piece is None:
            i += 1
            continue
        out, i = out + Value.literal(text[start:i]) + piece, end
        start = end
    return out + Value.literal(text[start:])


def _dollar(text: str, i: int, env: Mapping[str, Value]) -> tuple[Value | None, int]:
    """The value of the reference starting at ``text[i] == "$"`` and where it ends;
    (None, i) when the ``$`` starts no reference (it stays literal)."""
    if text.startswith("$$", i):
        return Value.literal("$"), i + 2
    plain = _VAR.match(text, i + 1)
    if plain:
        name = plain.group()
        return env.get(name, Value.unknown(text[i:plain.end()])), plain.end()
    braced = _BRACED.match(text, i)
    if not braced:
        return None, i
    close = _closing_brace(text, braced.end())
    if close == -1:
        return None, i
    name, op = braced.group(1), braced.group(2) or ""
    word = text[braced.end():close] if op else ""
    if not op and braced.end() != close:
        return None, i  # `${V junk}` is not a reference compose would accept
    return _apply(name, op, word, env, text[i:close + 1]), close + 1


def _closing_brace(text: str, i: int) -> int:
    """Index of the ``}`` that closes a ``${`` whose body starts at i (nested ``${`` counted)."""
    depth = 1
    while i < len(text):
        if text.startswith("${", i):
            depth, i = depth + 1, i + 2
            continue
        if text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _apply(name: str, op: str, word: str, env: Mapping[str, Value], written: str) -> Value:
    known = env.get(name)
    if op in (":-", "-"):
        if known is None or (op == ":-" and known.text == ""):
            return interpolate(word, env)
        return known
    if op in (":+", "+"):
        if known is None:
            return Value.unknown(written)
        return interpolate(word, env) if (op == "+" or known.text) else EMPTY
    return known if known is not None else Value.unknown(written)


_K8S_REF = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


def expand_k8s(text: str, env: Mapping[str, Value]) -> Value:
    """Kubernetes dependent-variable expansion: ``$(VAR)`` from earlier entries
    of the same container, ``$$`` escapes; an unknown ``$(VAR)`` is unresolved
    (envFrom or the image may define it)."""
    out, start = EMPTY, 0
    for m in _K8S_REF.finditer(text):
        piece = Value.literal("$") if m.group() == "$$" else env.get(m.group(1), Value.unknown(m.group()))
        out, start = out + Value.literal(text[start:m.start()]) + piece, m.end()
    return out + Value.literal(text[start:])
