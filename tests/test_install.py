"""The installed distribution: one import package, ``carecap``, and nothing beside it."""

from __future__ import annotations

import json
import subprocess
import sys

# Run in a fresh interpreter outside the repository, so that the metadata comes from
# site-packages and not from a build folder beside the sources.
_LIST_TOP_LEVEL = """
import ast, importlib.metadata as metadata, json, re
dist = metadata.distribution("carecap")
tops = set()
for file in dist.files or ():
    parts = file.parts
    if parts[0].startswith("..") or parts[0].endswith((".dist-info", ".egg-info")):
        continue  # console scripts and the metadata itself
    if parts[0] == "__pycache__":
        continue
    if parts[0].startswith("__editable__"):
        # An editable install maps import names to folders in its finder.
        if parts[0].endswith("_finder.py"):
            text = (dist.locate_file(file)).read_text(encoding="utf-8")
            mapping = re.search(r"MAPPING[^=]*=\\s*(\\{.*?\\})", text).group(1)
            tops |= {name.split(".")[0] for name in ast.literal_eval(mapping)}
        continue
    tops.add(parts[0].removesuffix(".py"))
print(json.dumps(sorted(tops)))
"""


def test_only_carecap_is_installed_at_the_top_level(tmp_path):
    """Tests that the installed distribution puts only ``carecap`` into site-packages
    (no ``optimizer``, ``kernels`` or ``instances`` beside it)."""
    done = subprocess.run(
        [sys.executable, "-c", _LIST_TOP_LEVEL],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(done.stdout) == ["carecap"]


def test_the_console_script_runs_carecap(tmp_path):
    """Tests that the ``carecap`` command is the package's CLI."""
    done = subprocess.run(
        [sys.executable, "-m", "carecap.cli", "--version"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "carecap" in done.stdout
