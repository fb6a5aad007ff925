"""A lab per page of Docker's networking documentation that has steps: each page named by a lab in labs/
(x-docs), and each such lab says what the page does that a lab cannot (x-not-in-lab). No engine: the labs run
live in test_engine_labs and test_engine_checks."""

import pytest
import yaml
from helpers import ROOT

D = "https://docs.docker.com/engine/network/"
PAGES = [D + p for p in ("tutorials/standalone/", "tutorials/host/", "tutorials/overlay/", "tutorials/macvlan/",
                         "drivers/bridge/", "drivers/overlay/", "drivers/host/", "drivers/none/",
                         "drivers/macvlan/", "drivers/ipvlan/", "port-publishing/")]
LABS = {p.stem: yaml.safe_load(p.read_text()) for p in sorted((ROOT / "labs").glob("*.yaml"))}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_with_steps_has_a_lab(page):
    assert [k for k, lab in LABS.items() if page in lab.get("x-docs", ())], f"no lab names {page} in x-docs"


@pytest.mark.parametrize("name", [k for k, lab in LABS.items() if "x-docs" in lab])
def test_a_documentation_lab_says_what_it_leaves_out(name):
    lab = LABS[name]
    assert all(page.startswith("https://docs.docker.com/") for page in lab["x-docs"]), name
    assert len(str(lab.get("x-not-in-lab", ""))) > 10, f"{name}: say in x-not-in-lab what a lab cannot do"
    assert lab.get("checks"), f"{name}: a documentation lab proves what the page observes"
