"""Generate a synthetic PostgreSQL migration of a given size and time SQL
extraction on it.

    .venv/bin/python bench/gen_migration.py [MEGABYTES]   (default 5)

The file mixes the statement forms a real migration history holds (DDL with
foreign keys, indexes, views, functions with dollar bodies, data fixes,
grants, comments), so the timing reflects the splitter, sqlglot and the
token readers together.
"""
from __future__ import annotations

import sys
import time

from hos_lint.embedded import Origin
from hos_lint.extract.sql import extract_sql

_BLOCK = """-- migration {n}
SET search_path TO order_service, public;
CREATE TABLE IF NOT EXISTS order_service.orders_{n} (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES auth_service.users (id),
    total numeric(12, 2) DEFAULT 0,
    note text CHECK (note <> 'x;y'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_{n}_user_idx ON order_service.orders_{n} (user_id);
COMMENT ON TABLE order_service.orders_{n} IS 'orders, batch {n}';
INSERT INTO order_service.orders_{n} (user_id, total)
SELECT u.id, 0 FROM auth_service.users u WHERE u.created_at > now() - interval '1 day';
UPDATE order_service.orders_{n} o SET total = t.sum
  FROM (SELECT order_id, sum(price) AS sum FROM order_service.order_items GROUP BY order_id) t
 WHERE t.order_id = o.id;
CREATE OR REPLACE VIEW search_service.orders_{n}_v AS
  WITH recent AS (SELECT * FROM order_service.orders_{n} WHERE created_at > now() - interval '7 days')
  SELECT r.id, u.email FROM recent r JOIN auth_service.users u ON u.id = r.user_id;
CREATE OR REPLACE FUNCTION order_service.touch_{n}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.created_at := now(); RETURN NEW; END $$;
ALTER TABLE order_service.orders_{n} OWNER TO order_role;
GRANT SELECT ON order_service.orders_{n} TO search_role;
"""


def generate(megabytes: float) -> str:
    """A migration text of at least ``megabytes`` MiB."""
    target = int(megabytes * 1024 * 1024)
    parts, size, n = [], 0, 0
    while size < target:
        block = _BLOCK.format(n=n)
        parts.append(block)
        size += len(block)
        n += 1
    return "".join(parts)


def main() -> None:
    megabytes = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    text = generate(megabytes)
    started = time.perf_counter()
    result = extract_sql(text, Origin.identity(text), path="bench.sql", service="order")
    elapsed = time.perf_counter() - started
    print(f"{len(text) / 1e6:.1f} MB, {text.count(';')} statements: {elapsed:.1f} s, "
          f"{len(result.accesses)} accesses, {len(result.problems)} problems")


if __name__ == "__main__":
    main()
