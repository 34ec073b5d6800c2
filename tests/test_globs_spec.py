"""``globs.Spec`` answers exactly what pathspec's own ``GitIgnoreSpec`` answers: its quick
test (one combined regular expression, patterns without ``/`` sharing their start) only
ever says "no pattern matches" when none does, on paths as pathspec normalises them too."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from pathspec import GitIgnoreSpec

from hos_lint.globs import Spec, _bar_outside_groups, _may_match, compile_glob, spec

PATTERNS = ("*.sql", "!keep.sql", "gen/", "/top.ts", "a*", "**/b", "src/**/x.ts", "!src/", "dist/", "node_modules/",
            ".git", "[ab].ts", "\\!bang.sql", "\\#hash.sql", "# comment", "é*", "a b.sql", "build", "!build/", "*",
            "!*/", "x/", "/x", "q?.ts", "**/api/**", "services/*/gen", "a|b", "[|]x", "(x|y)", "a\\|b", "[]|]z",
            "[^]|]y", "t .sql", "/services/api/**", "**")
SEGMENTS = ("a", "b", "x", "src", "gen", "keep.sql", "top.ts", "a.ts", "x.ts", "é", "a b.sql", "a|b", "|x", "(x|y)",
            "]|z", "ay", "q1.ts", "!bang.sql", "#hash.sql", "api", "services", "node_modules", ".git", "t .sql",
            "dist", "build", "y")


@st.composite
def paths(draw):
    parts = draw(st.lists(st.sampled_from(SEGMENTS), min_size=1, max_size=5))
    lead = draw(st.sampled_from(("", "", "", "/", "./", "//")))
    tail = draw(st.sampled_from(("", "", "/")))
    return lead + "/".join(parts) + tail


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PATTERNS), max_size=6), st.lists(paths(), min_size=1, max_size=8))
def test_spec_answers_what_pathspec_answers(patterns, probes):
    ours = spec(patterns)
    theirs = GitIgnoreSpec([compile_glob(p) for p in patterns])
    for path in probes:
        expected = theirs.check_file(path)
        assert (ours.check_file(path).include, ours.check_file(path).index) == (expected.include, expected.index)
        assert ours.match_file(path) is theirs.match_file(path)
        if not path.startswith(("/", "./")):
            assert ours.include_of(path) is expected.include


def test_a_leading_slash_or_dot_slash_is_matched_as_pathspec_normalises_it():
    # the quick test sees the path pathspec matches: `/services/api/x` is `services/api/x`
    assert spec(["/services/api/**"]).match_file("/services/api/x")
    assert spec(["/services/api/**"]).match_file("./services/api/x")
    assert not spec(["/services/api/**"]).match_file("x/services/api/x")
    assert spec(["**"]).match_file("//") and not spec(["**"]).match_file("/") and not spec(["**"]).match_file("./")


def test_patterns_at_any_depth_share_their_start_and_an_alternation_is_never_split():
    quick = _may_match([compile_glob(p) for p in ("node_modules/", "dist/", "/top.ts")])
    assert quick is not None
    assert quick("a/b/node_modules/") and quick("dist/") and quick("top.ts")
    assert quick("a/top.ts") is None and quick("a/dist") is None and quick("a/distx/") is None
    assert not _bar_outside_groups("(?:a|b)x") and not _bar_outside_groups("[|]x") and not _bar_outside_groups("a\\|b")
    assert not _bar_outside_groups("[]|]x") and not _bar_outside_groups("[^]|]x")
    assert _bar_outside_groups("a|b") and _bar_outside_groups("(?:a)|b") and _bar_outside_groups("[x]|b")


def test_a_spec_without_patterns_matches_nothing():
    empty = Spec([])
    assert empty.include_of("a") is None and not empty.match_file("a") and empty.check_file("a").include is None
