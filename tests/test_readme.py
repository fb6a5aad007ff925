"""The README's lab diagrams are what `dockerlab graph` draws today. No engine."""

import re
import subprocess
import sys

from helpers import ROOT


def test_every_readme_diagram_is_current():
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"<!-- graph: (\S+) -->\n```mermaid\n(.*?)\n```", readme, flags=re.S)
    assert len(blocks) == len(list((ROOT / "labs").glob("*.yaml"))), "one diagram per lab"
    for path, shown in blocks:
        drawn = subprocess.run([sys.executable, "-m", "dockerlab", "graph", str(ROOT / path)], capture_output=True,
                               text=True, check=True).stdout.rstrip()
        assert shown == drawn, f"{path}: the README's diagram is stale; paste `dockerlab graph {path}` there"
