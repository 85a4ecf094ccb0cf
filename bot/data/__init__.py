"""Data files shipped with the package: stopword lists, stem overrides, question words."""

from __future__ import annotations

from importlib import resources
from typing import Any

import yaml

# The package's own files are trusted: libyaml's safe loader reads them several times faster
# than the pure-Python one, which a cold start would otherwise pay for every table.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(name: str) -> Any:
    """Return the parsed content of one of the package's YAML data files.

    Args:
        name: The file name inside ``bot/data`` ("intents.yaml").
    """
    text = resources.files(__name__).joinpath(name).read_text("utf-8")
    return yaml.load(text, Loader=_LOADER)
