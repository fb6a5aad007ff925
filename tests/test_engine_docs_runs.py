"""The docs site's network-type pages show a real run of each lab's checks: this runs them against the engine
(under a test lab name and with the test's own parent interfaces, shown as the lab's) and holds each page's run
to the real one, check by check and verdict by verdict. DOCKERLAB_DOCS_REFRESH=1 writes the new runs into the
pages (English and Japanese); DOCKERLAB_DOCS_INTO=DIR writes them under DIR instead (the VM, whose view of this
tree is read-only, hands ipvlan's out that way: make test-kernel DOCKERLAB_DOCS_REFRESH=1)."""

import os
import re
from pathlib import Path

import pytest
from helpers import ROOT, dockerlab
from test_engine_labs import prepared

pytestmark = pytest.mark.engine
# ipvlan needs a kernel module this machine may lack: the VM runs it
RUNS = ["default-bridge", "user-bridge", "host", "none", "macvlan", "overlay",
        pytest.param("ipvlan", marks=pytest.mark.kernel)]
RUN = re.compile(r"<!-- run -->\n.*?<!-- /run -->", re.S)
PARENT = re.compile(r"parent: ([^\s,}.]+)")


def verdicts(text: str, labels: list[str]) -> dict[str, str]:
    """Each check's verdict in a checks table."""
    found = {}
    for line in text.splitlines():
        for label in labels:
            if line.startswith(label + " ") and (m := re.search(r"\s(pass|FAIL|warn)(\s|$)", line)):
                found[label] = m.group(1)
    return found


def real_run(name, shown_as, labs_dir, make_lab, veth, request) -> str:
    """The lab's checks run for real, in the words the page shows: the lab's own name and parents."""
    from dockerlab.host.host import Host

    if name == "ipvlan" and Host.from_env().facts.kernel_supports("ipvlan") is False:
        pytest.skip("this kernel has no ipvlan: the VM (make test-kernel) runs and refreshes that page")
    shipped = (labs_dir / f"{name}.yaml").read_text()
    path, lab = prepared(name, labs_dir, make_lab, veth, request)
    try:
        dockerlab("apply", path, ok=True)
        out = dockerlab("check", path, ok=True).stdout
    finally:
        dockerlab("destroy", path)
    mine = dict(zip(PARENT.findall(Path(path).read_text()), PARENT.findall(shipped), strict=True))
    for made, theirs in [(lab, shown_as), *mine.items()]:
        out = out.replace(made, theirs)
    return out


@pytest.mark.parametrize("name", RUNS)
def test_each_network_pages_run_is_the_real_one(name, labs_dir, make_lab, veth, request, docker_client):
    from dockerlab.labfile.load import load_lab

    real = load_lab(str(labs_dir / f"{name}.yaml"))
    out = real_run(name, real.name, labs_dir, make_lab, veth, request)
    labels = [c.label for c in real.checks]
    assert set(verdicts(out, labels).values()) == {"pass"} and len(verdicts(out, labels)) == len(labels), out
    block = f"<!-- run -->\n```text\n$ dockerlab check labs/{name}.yaml\n{out.rstrip()}\n```\n<!-- /run -->"
    into = Path(os.environ.get("DOCKERLAB_DOCS_INTO") or ROOT)
    for page in (ROOT / "docs" / "networks" / f"{name}.md", ROOT / "docs" / "ja" / "networks" / f"{name}.md"):
        text = page.read_text()
        if os.environ.get("DOCKERLAB_DOCS_REFRESH"):
            (into / page.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
            (into / page.relative_to(ROOT)).write_text(RUN.sub(lambda _: block, text))
            continue
        shown = RUN.search(text)
        assert shown, f"{page}: no run block"
        assert verdicts(shown.group(0), labels) == verdicts(out, labels), \
            f"{page} shows another run: DOCKERLAB_DOCS_REFRESH=1 pytest {__file__} writes the real one"
