"""Subcommands for Curtois nurse-rostering benchmark (issue 7)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Adds this module's subcommands (none yet)."""
