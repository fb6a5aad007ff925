"""The docs site's network-type pages show a real run of each lab's checks: this runs them against the engine
(under a test lab name, shown as the lab's own) and holds each page's run to the real one, check by check and
verdict by verdict. DOCKERLAB_DOCS_REFRESH=1 writes the new runs into the pages (English and Japanese)."""

import os
import re

import pytest
from helpers import ROOT, dockerlab

pytestmark = pytest.mark.engine
RUNS = ["default-bridge", "user-bridge", "host", "none"]  # macvlan needs a parent, ipvlan a kernel module, overlay
# a swarm: their pages say how to run them
RUN = re.compile(r"<!-- run -->\n.*?<!-- /run -->", re.S)


def verdicts(text: str, labels: list[str]) -> dict[str, str]:
    """Each check's verdict in a checks table."""
    found = {}
    for line in text.splitlines():
        for label in labels:
            if line.startswith(label + " ") and (m := re.search(r"\s(pass|FAIL|warn)(\s|$)", line)):
                found[label] = m.group(1)
    return found


@pytest.mark.parametrize("name", RUNS)
def test_each_network_pages_run_is_the_real_one(name, make_lab, docker_client):
    from dockerlab.labfile.load import load_lab

    real = load_lab(str(ROOT / "labs" / f"{name}.yaml"))
    path, lab = make_lab((ROOT / "labs" / f"{name}.yaml").read_text())
    try:
        dockerlab("apply", path, ok=True)
        out = dockerlab("check", path, ok=True).stdout.replace(lab, real.name)
    finally:
        dockerlab("destroy", path)
    labels = [c.label for c in real.checks]
    assert set(verdicts(out, labels).values()) == {"pass"} and len(verdicts(out, labels)) == len(labels), out
    block = f"<!-- run -->\n```text\n$ dockerlab check labs/{name}.yaml\n{out.rstrip()}\n```\n<!-- /run -->"
    for page in (ROOT / "docs" / "networks" / f"{name}.md", ROOT / "docs" / "ja" / "networks" / f"{name}.md"):
        text = page.read_text()
        if os.environ.get("DOCKERLAB_DOCS_REFRESH"):
            page.write_text(RUN.sub(lambda _: block, text))
            continue
        shown = RUN.search(text)
        assert shown, f"{page}: no run block"
        assert verdicts(shown.group(0), labels) == verdicts(out, labels), \
            f"{page} shows another run: DOCKERLAB_DOCS_REFRESH=1 pytest {__file__} writes the real one"
