"""Data files shipped with the package: stopword lists, stem overrides, question words."""
