"""hos-lint: static data-ownership linter and boundary checker."""

__version__ = "0.1.0"
