"""Adventorator: a game-master toolkit for D&D 5e tables."""

__version__ = "0.1.0"

__all__ = ["__version__"]
