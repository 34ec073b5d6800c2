"""Generate shell scripts that feed psql and time the shell extractor's scan.

    python bench/gen_shell.py 200        # 200 scripts, the numbers in linter/extract/shell.py

Scripts mix ordinary shell (conditionals, loops, functions, comments, strings
holding '#' and '<<'), psql heredocs (quoted, unquoted, <<-), psql -c
commands and heredocs that feed other commands. Deterministic (seeded).
"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hos_lint.extract.shell import scan_script  # noqa: E402

SCHEMAS = ["order_service", "auth_service", "payment_service", "inventory_service"]
TABLES = ["orders", "users", "payments", "stock", "carts", "sessions"]


def _relation(rnd: random.Random) -> str:
    return f"{rnd.choice(SCHEMAS)}.{rnd.choice(TABLES)}"


def _statement(rnd: random.Random) -> str:
    forms = [
        "SELECT id, status FROM {r} WHERE created_at < now() - interval '1 day';",
        "UPDATE {r}\n   SET status = 'x' -- note\n WHERE id = $ID;",
        "INSERT INTO {r} (id, name) VALUES (1, 'a#b');",
        "DELETE FROM {r} WHERE id IN (SELECT id FROM {s});",
        "/* block\n   comment */ TRUNCATE {r};",
        "CREATE VIEW {r}_v AS SELECT * FROM {s};",
    ]
    return rnd.choice(forms).format(r=_relation(rnd), s=_relation(rnd))


def _heredoc(rnd: random.Random) -> str:
    opener = rnd.choice(["EOF", "'SQL'", '"EOSQL"'])
    body = "\n".join(_statement(rnd) for _ in range(rnd.randrange(1, 6)))
    closer = opener.strip(chr(39) + chr(34))
    return f'psql "$DATABASE_URL" -v ON_ERROR_STOP=1 <<{opener}\nBEGIN;\n{body}\nCOMMIT;\n{closer}'


def _line(rnd: random.Random) -> str:
    shapes = [
        lambda: f'echo "step {rnd.randrange(100)} # not a comment" # a comment',
        lambda: "if [[ -z \"${DATABASE_URL:-}\" ]]; then\n  echo 'missing' >&2\n  exit 1\nfi",
        lambda: "for f in /tmp/*.csv; do\n  cp \"$f\" /backup/ # copy\ndone",
        lambda: "log() { printf '%s\\n' \"$*\" >&2; }",
        lambda: f"psql \"$DATABASE_URL\" -c 'SELECT count(*) FROM {_relation(rnd)}'",
        lambda: f"psql -v ON_ERROR_STOP=1 -c \"DELETE FROM {_relation(rnd)} WHERE id = $ID\"",
        lambda: "cat <<EOF > /tmp/notes.txt\n# not shell\nDELETE FROM nowhere;\nEOF",
        lambda: "# " + "comment line " * rnd.randrange(1, 5),
        lambda: f"export PGOPTIONS='-c search_path={rnd.choice(SCHEMAS)}'",
        lambda: "result=$(curl -s http://x/api | jq -r '.id')",
        lambda: _heredoc(rnd),
        lambda: ("docker compose exec -T db \\\n  psql -U app <<-EOSQL\n\t"
                 + "\n".join(_statement(rnd) for _ in range(rnd.randrange(1, 4))) + "\n\tEOSQL"),
    ]
    return rnd.choice(shapes)()


def generate(folder: Path, count: int, seed: int = 7) -> list[Path]:
    rnd = random.Random(seed)
    paths = []
    for index in range(count):
        lines = ["#!/usr/bin/env bash", "set -euo pipefail"]
        lines += [_line(rnd) for _ in range(rnd.randrange(20, 120))]
        path = folder / f"s{index:03}.sh"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        texts = [p.read_text(encoding="utf-8") for p in generate(Path(tmp), count)]
    scan_script("psql <<EOF\nSELECT 1;\nEOF\n")  # build the parser once
    best = min(_timed(texts) for _ in range(5))
    print(f"{count} scripts, {sum(map(len, texts))} characters: scan_script {best * 1000:.0f} ms (CPU, best of 5)")


def _timed(texts: list[str]) -> float:
    start = time.process_time()
    for text in texts:
        scan_script(text)
    return time.process_time() - start


if __name__ == "__main__":
    main()
