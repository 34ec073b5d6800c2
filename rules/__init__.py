"""hos-lint rules: one module per rule code (see hos_lint.rule for the API).

The folder is ``rules/`` in the repository and installs as ``hos_lint.rules``.
"""

if __name__ != "hos_lint.rules":  # imported as `rules` from a checkout: not the installed package
    raise ImportError("import hos_lint.rules (the installed name of this folder), not rules")
