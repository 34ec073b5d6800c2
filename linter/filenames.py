"""File names that are not valid UTF-8, made safe for every output.

hos-lint keeps paths as the operating system gives them: ``os.fsdecode`` with
``surrogateescape``, so a byte that is not UTF-8 (``b"bad\\xff.sql"``) is the
lone surrogate ``"\\udcff"`` and the file can still be opened, walked, cached
and reported. Such a string cannot be encoded as UTF-8, so every renderer
passes what it prints through here:

- ``escape``: each undecodable byte becomes the four characters ``\\xff``
  (any other lone surrogate, which only hostile input can hold, ``\\udXXX``);
  text formats escape their whole output with it;
- ``json_safe``: the same for every string (keys too) of a JSON document
  before it is dumped, so the document is valid UTF-8 and parses anywhere;
- ``uri``: a path as a percent-encoded URI reference of its real bytes
  (``bad%FF.sql``), for SARIF artifact locations.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from hos_lint.safe import escape_char

_SURROGATE = re.compile("[\ud800-\udfff]")


def escape(text: str) -> str:
    """``text`` with every lone surrogate written out as a backslash escape
    (``escape_char``, the one ``printable`` uses for every unsafe character)."""
    return _SURROGATE.sub(lambda m: escape_char(m.group()), text) if _SURROGATE.search(text) else text


def json_safe(value: Any) -> Any:
    """A JSON-ready value with ``escape`` applied to every string in it."""
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, dict):
        return {json_safe(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def uri(path: str) -> str:
    """A project-relative POSIX path as a percent-encoded URI reference of its bytes."""
    try:
        return quote(path, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name has (from a hostile baseline file)
        return quote(escape(path), safe="/")
