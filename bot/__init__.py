"""Samverkansboten: cited answers on idea-driven welfare in Sweden and Denmark."""

__version__ = "0.1.0"
