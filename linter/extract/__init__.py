"""Extractors: per-file, per-language, pure functions from bytes to facts."""
