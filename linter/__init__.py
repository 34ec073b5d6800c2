"""hos-lint: static data-ownership linter and boundary checker.

The folder is ``linter/`` in the repository and installs as ``hos_lint``.
"""

if __name__ != "hos_lint":  # imported as `linter` from a checkout: a second copy of every module
    raise ImportError("import hos_lint (the installed name of this folder), not linter")

__version__ = "0.1.0"
