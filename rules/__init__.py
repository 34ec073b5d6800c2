"""hos-lint rules: one module per rule code (see linter.rule for the API)."""
