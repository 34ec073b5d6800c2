"""Each extractor hands over the comments its own lexer saw (``ExtractResult.comments``),
with exact positions; text that only looks like a comment (in a string, a
quoted scalar, a heredoc that is not SQL) is not one."""
from __future__ import annotations

import pytest

from hos_lint.extract import extractor_for
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Comment, SourceFile


def comments(path: str, text: str) -> list[tuple[int, int, int, str, bool]]:
    ext = extractor_for(path)
    result = ext.extract(SourceFile(path, "order", ext.LANGUAGE), text, ExtractConfig())
    return [(c.line, c.col, c.end_line, c.text, c.own_line) for c in result.comments]


def test_sql_line_block_and_nested_comments_but_not_in_literals():
    sql = ("-- head\n"
           "SELECT '-- no', \"a -- no\", E'\\' -- no', $$ -- no $$, $t$ /* no */ $t$ /* one /* nested */ */\n"
           "FROM t; -- tail\n"
           "  /* two\n     lines */\n")
    assert comments("a.sql", sql) == [
        (1, 1, 1, "-- head", True),
        (2, 71, 2, "/* one /* nested */ */", False),
        (3, 9, 3, "-- tail", False),
        (4, 3, 5, "/* two\n     lines */", True),
    ]


def test_sql_line_comment_ends_at_a_carriage_return():
    assert comments("a.sql", "-- one\rSELECT 1; -- two\r\n-- three") == [
        (1, 1, 1, "-- one", True), (2, 11, 2, "-- two", False), (3, 1, 3, "-- three", True)]


def test_sql_comments_are_not_handed_over_unless_asked():
    ext = extractor_for("a.sql")
    result = ext.extract(SourceFile("a.sql", None, ext.LANGUAGE), "-- x\nSELECT 1;", ExtractConfig(comments=False))
    assert result.comments == ()


def test_typescript_comment_nodes_only():
    ts = ("// one\n"
          "const a = '// no', b = `/* no */ ${x /* two */}`, r = /\\/\\/ no/;\n"
          "/** three\n  */ const c = 1; /* four */\n"
          "const el = <div>{/* five */}</div>;\n")
    assert comments("a.tsx", ts) == [
        (1, 1, 1, "// one", True),
        (2, 38, 2, "/* two */", False),
        (3, 1, 4, "/** three\n  */", False),
        (4, 19, 4, "/* four */", False),
        (5, 18, 5, "/* five */", False),
    ]


def test_python_tokenizer_comments_only():
    py = ('x = "# no"  # one\n'
          "y = '''\n# no\n'''\n"
          "    # two\n"
          "z = f'{a}#no'\n")
    assert comments("a.py", py) == [(1, 13, 1, "# one", False), (5, 5, 5, "# two", True)]


def test_python_text_without_a_hash_has_no_comments_and_is_not_tokenized(monkeypatch):
    from hos_lint.extract.python import extractor
    tokenized = []
    real = extractor.tokenize.generate_tokens
    monkeypatch.setattr(extractor.tokenize, "generate_tokens", lambda readline: tokenized.append(1) or real(readline))
    assert comments("a.py", "x = 1\ncur.execute('SELECT 1')\n") == []
    assert tokenized == []
    assert comments("a.py", "x = 1  # one\n") == [(1, 8, 1, "# one", False)]
    assert tokenized == [1]


def test_python_comments_survive_a_syntax_error():
    assert comments("a.py", "# one\ndef broken(:\n") == [(1, 1, 1, "# one", True)]


def test_prisma_comments_but_not_in_strings():
    prisma = ('// one\nmodel A {  // after the brace\n  id Int @id /// two\n  s String @default("// no")\n}\n'
              '/* three\r\n */\n')
    assert comments("schema.prisma", prisma) == [
        (1, 1, 1, "// one", True), (2, 12, 2, "// after the brace", False), (3, 14, 3, "/// two", False),
        (6, 1, 7, "/* three\r\n */", True)]


def test_shell_comments_and_the_sql_comments_it_feeds_psql():
    sh = ("# one\n"
          "echo '# no' \"# no\" a#no ${#no} # two\n"
          "psql -c \"SELECT 1 -- three\" <<SQL # four\n"
          "-- five\n# no: SQL, not shell\nSELECT 1;\n"
          "SQL\n"
          "cat <<EOF > notes.txt\n# no\n-- no\nEOF\n")
    assert comments("a.sh", sh) == [
        (1, 1, 1, "# one", True),
        (2, 32, 2, "# two", False),
        (3, 19, 3, "-- three", False),
        (3, 35, 3, "# four", False),
        (4, 1, 4, "-- five", True),
    ]


def test_shell_comment_after_an_operator_but_not_inside_a_word():
    sh = "psql -c 'SELECT 1';# after the semicolon\necho a#no b|#c\n"
    assert comments("a.sh", sh) == [(1, 20, 1, "# after the semicolon", False), (2, 13, 2, "#c", False)]


def test_yaml_scanner_comments_only():
    compose = ("# one\n"
               "services:  # two\n"
               "  a:\n"
               "    image: 'x # no'\n"
               "    command: \"y # no\"\n"
               "    url: http://h/#no\n"
               "    plain: a#no\n"
               "    script: |  # three\n"
               "      # no: block scalar text\n"
               "    # four\n")
    assert comments("docker-compose.yml", compose) == [
        (1, 1, 1, "# one", True), (2, 12, 2, "# two", False),
        (8, 16, 8, "# three", False), (10, 5, 10, "# four", True)]


def test_env_comments_only():
    env = ("# one\n"
           "A=x#no\n"
           "B=x # two\n"
           "C='y # no' # three\n"
           "D=\"z # no\"\n"
           "E # four\n")
    assert comments("services/order/.env", env) == [
        (1, 1, 1, "# one", True), (3, 5, 3, "# two", False), (4, 12, 4, "# three", False),
        (6, 3, 6, "# four", False)]


@pytest.mark.parametrize("path,text", [
    ("a.sql", "-- c\n"), ("a.ts", "// c\n"), ("a.py", "# c\n"), ("schema.prisma", "// c\n"),
    ("a.sh", "# c\n"), ("docker-compose.yml", "# c\n"), ("services/order/.env", "# c\n"),
])
def test_every_extractor_hands_over_its_comments_as_records(path, text):
    ext = extractor_for(path)
    result = ext.extract(SourceFile(path, "order", ext.LANGUAGE), text, ExtractConfig())
    assert result.comments == (Comment(line=1, col=1, end_line=1, text=text.strip(), own_line=True),)
    assert ext.extract(SourceFile(path, "order", ext.LANGUAGE), text, ExtractConfig(comments=False)).comments == ()
