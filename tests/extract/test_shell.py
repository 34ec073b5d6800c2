"""Exact tests for SQL in shell scripts: psql heredocs and psql -c."""
from __future__ import annotations

from hos_lint.extract import shell
from hos_lint.extract.base import ExtractConfig
from hos_lint.model import Language, SourceFile

SRC = SourceFile("scripts/migrate.sh", "order", Language.SHELL)


def run(text: str):
    return shell.extract(SRC, text, ExtractConfig())


def rows(result) -> list[tuple]:
    return [
        (a.location.line, a.location.col, a.ref.schema, a.ref.name, a.kind.value, a.operation)
        for a in result.accesses
    ]


def problems(result) -> list[tuple]:
    return [(p.code, p.location.line, p.location.col) for p in result.problems]


def test_heredoc_positions_are_script_positions():
    text = (
        "#!/bin/bash\n"
        "set -e\n"
        "psql -v ON_ERROR_STOP=1 \"$DATABASE_URL\" <<EOF\n"
        "BEGIN;\n"
        "  INSERT INTO order_service.orders (id) VALUES (1);\n"
        "SELECT * FROM auth_service.users;\n"
        "COMMIT;\n"
        "EOF\n"
        "echo done\n"
    )
    result = run(text)
    assert rows(result) == [
        (5, 15, "order_service", "orders", "write", "INSERT"),
        (6, 15, "auth_service", "users", "read", "SELECT"),
    ]
    assert result.problems == ()


def test_dash_heredoc_with_tabs_and_quoted_delimiters():
    text = (
        "if true; then\n"
        "\tpsql --username \"$POSTGRES_USER\" <<-EOSQL\n"
        "\t\tCREATE VIEW search_service.v AS SELECT * FROM product_service.products;\n"
        "\tEOSQL\n"
        "fi\n"
        "psql <<'SQL'\n"
        "DELETE FROM a WHERE b = '$HOME';\n"
        "SQL\n"
        "psql <<\"END\"\n"
        "TRUNCATE c;\n"
        "END\n"
    )
    assert rows(run(text)) == [
        (3, 15, "search_service", "v", "ddl", "CREATE VIEW"),
        (3, 49, "product_service", "products", "read", "CREATE VIEW"),
        (7, 13, None, "a", "write", "DELETE"),
        (10, 10, None, "c", "write", "TRUNCATE"),
    ]
    assert [d.ref.name for d in run(text).relation_defs] == ["v"]


def test_non_psql_heredoc_is_not_analysed():
    text = (
        "cat <<EOF > notes.txt\n"
        "DELETE FROM auth_service.users;\n"
        "EOF\n"
        "mysql <<EOF\n"
        "DROP TABLE x;\n"
        "EOF\n"
        "# psql <<EOF in a comment\n"
        "echo '<<EOF psql'\n"
    )
    assert run(text).accesses == ()
    assert run(text).problems == ()


def test_psql_as_an_argument_of_a_command_that_runs_none_is_not_psql():
    text = (
        "echo psql <<EOF\nSELECT * FROM auth_service.users;\nEOF\n"
        "grep -q psql <<EOF\nDELETE FROM auth_service.users;\nEOF\n"
        "echo psql -c 'DELETE FROM auth_service.users'\n"
    )
    assert run(text).accesses == () and run(text).problems == ()
    wrapped = "env PGOPTIONS=-c psql -c 'DELETE FROM auth_service.users'\n"
    assert [(a.ref.display(), a.location.line) for a in run(wrapped).accesses] == [("auth_service.users", 1)]


def test_cat_heredoc_piped_into_psql_is_analysed():
    text = "cat <<EOF | psql -d app\nSELECT 1 FROM t;\nEOF\n"
    assert rows(run(text)) == [(2, 15, None, "t", "read", "SELECT")]


def test_shell_expansion_in_relation_position_is_hos205_value_position_fine():
    text = (
        "psql <<EOF\n"
        "SELECT * FROM ${SCHEMA}.orders WHERE id = $ORDER_ID;\n"
        "UPDATE t SET at = '$(date)' WHERE x = \\$1;\n"
        "EOF\n"
    )
    result = run(text)
    assert problems(result) == [("HOS205", 2, 15)]
    assert rows(result) == [(3, 8, None, "t", "write", "UPDATE")]


def test_quoted_heredoc_does_not_expand():
    text = "psql <<'EOF'\nSELECT * FROM t WHERE a = '${X}';\nEOF\n"
    result = run(text)
    assert (rows(result), problems(result)) == ([(2, 15, None, "t", "read", "SELECT")], [])


def test_psql_dash_c_literals():
    text = (
        "psql -d app -c 'TRUNCATE order_service.carts'\n"
        "psql -c \"SELECT * FROM \\\"Auth\\\".users\" -d app\n"
        "psql --command=\"DELETE FROM $TABLE\"\n"
        "psql -c \"$SQL\"\n"
        "grep -c 'DELETE FROM x' log.txt\n"
    )
    result = run(text)
    assert rows(result) == [
        (1, 26, "order_service", "carts", "write", "TRUNCATE"),
        (2, 25, "Auth", "users", "read", "SELECT"),
    ]
    assert problems(result) == [("HOS205", 3, 29), ("HOS205", 4, 10)]


def test_line_continuation_before_heredoc():
    text = "docker compose exec -T db \\\n  psql -U app <<EOF\nSELECT 1 FROM t;\nEOF\n"
    assert rows(run(text)) == [(3, 15, None, "t", "read", "SELECT")]


def test_unterminated_heredoc_and_bad_sql_do_not_raise():
    text = "psql <<EOF\nSELECT FROM WHERE;\nSELECT 1 FROM t;\n"
    result = run(text)
    assert problems(result) == [("HOS901", 2, 1)]
    assert rows(result) == [(3, 15, None, "t", "read", "SELECT")]


def test_surface():
    assert shell.handles("db/init.sh") and shell.handles("x.BASH") and not shell.handles("x.sql")
    assert shell.might_access_db(b"exec PSQL -c 1") and not shell.might_access_db(b"echo hi")
    assert (shell.NAME, shell.LANGUAGE) == ("shell", Language.SHELL)


# --- which command a heredoc or -c string feeds (tree-sitter-bash) -------------------


def test_heredoc_feeds_the_command_bash_gives_it_to():
    text = (
        "psql -c 'SELECT 1 FROM a' && cat <<EOF > notes.txt\n"
        "DELETE FROM not_sql;\n"
        "EOF\n"
        "echo go | psql -d app <<EOF\n"
        "DELETE FROM b;\n"
        "EOF\n"
        "cat <<EOF | tee log.txt | psql\n"
        "DELETE FROM c;\n"
        "EOF\n"
        "psql -l | cat <<EOF\n"
        "DELETE FROM not_sql_either;\n"
        "EOF\n"
    )
    assert rows(run(text)) == [
        (1, 24, None, "a", "read", "SELECT"),
        (5, 13, None, "b", "write", "DELETE"),
        (8, 13, None, "c", "write", "DELETE"),
    ]
    assert run(text).problems == ()


def test_dash_c_belongs_to_psql_not_to_another_command_of_the_line():
    text = (
        "psql -d app | grep -c 'DELETE FROM not_sql' log.txt\n"
        "psql -c'TRUNCATE a' --command 'DELETE FROM b'\n"
        "sudo -u postgres /usr/lib/postgresql/16/bin/psql -d app -c \"UPDATE c SET x = 1\"\n"
        "sh -c 'psql -c \"DELETE FROM d\"'\n"
    )
    assert rows(run(text)) == [
        (2, 18, None, "a", "write", "TRUNCATE"),
        (2, 44, None, "b", "write", "DELETE"),
        (3, 68, None, "c", "write", "UPDATE"),
    ]


def test_heredoc_delimiter_glued_to_an_operator_is_reported_not_misread():
    # tree-sitter-bash takes `EOF;` as the delimiter and runs the body to the end
    text = "psql <<EOF;\nDELETE FROM a;\nEOF\npsql -c 'DELETE FROM b'\n"
    result = run(text)
    assert (rows(result), problems(result)) == ([], [("HOS901", 1, 8)])
    assert "'EOF;'" in result.problems[0].message and "rest of the script" in result.problems[0].message
    spaced = "psql <<EOF ;\nDELETE FROM a;\nEOF\n"
    assert (rows(run(spaced)), problems(run(spaced))) == ([(2, 13, None, "a", "write", "DELETE")], [])


def test_a_psql_command_in_a_part_the_parser_cannot_read_is_hos901():
    text = "echo 'never closed\npsql -c \"DELETE FROM t\"\n"
    result = run(text)
    assert (rows(result), problems(result)) == ([], [("HOS901", 1, 5)])
    assert result.problems[0].message.startswith("could not parse the shell script here: a psql command")
    assert problems(run("echo 'never closed\necho done\n")) == []


def test_cr_only_script_has_the_lines_every_other_extractor_counts():
    # bash reads a lone CR as a character; hos-lint counts it as a line break everywhere
    text = "# nightly\rpsql <<EOF\rDELETE FROM a; -- x\rEOF\rpsql -c \"SELECT 1 FROM b\" # done\r"
    result = run(text)
    assert rows(result) == [(3, 13, None, "a", "write", "DELETE"), (5, 24, None, "b", "read", "SELECT")]
    assert [(c.line, c.col, c.text) for c in result.comments] == [(1, 1, "# nightly"), (3, 16, "-- x"), (5, 27, "# done")]
    crlf = text.replace("\r", "\r\n")
    assert rows(run(crlf)) == rows(result)
    assert [(c.line, c.col, c.text) for c in run(crlf).comments] == [(c.line, c.col, c.text) for c in result.comments]
