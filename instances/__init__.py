"""Generated region instances and the bundled example regions."""

from __future__ import annotations

from pathlib import Path

from .generator import generate_region as generate_region
from .presets import PRESETS as PRESETS

REGIONS_DIR = Path(__file__).parent / "regions"
"""Folder of the bundled example regions."""

EXAMPLE_REGION = REGIONS_DIR / "example_S.json"
"""The bundled example region (preset S, seed 1): used when no region file is given."""
