"""Placeholder: built by its owner."""

__all__: list[str] = []
