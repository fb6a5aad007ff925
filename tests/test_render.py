"""What people read besides the plan (tests/plans holds that): step results, destroy's summary, `ls`, the checks'
table and the JSON plan. Pure: fabricated steps, state and results."""

import json

from fakes import box_api, net_api

from dockerlab.cli.render import checks_text, destroy_text, done_line, labs_text, plan_json
from dockerlab.core.expect import Got
from dockerlab.core.observed import Observed
from dockerlab.labfile.load import parse_lab
from dockerlab.learn.checkresult import CheckResult
from dockerlab.plan.steps import Action, Kind, Mode, Plan, Step

LAB = parse_lab("name: r\nnetworks:\n  lan: {}\ncontainers:\n  a: {image: busybox, networks: [lan]}\n"
                "checks:\n  - {name: a to b, from: a, to: 10.0.0.9}\n", "lab.yaml")


def test_a_step_done_or_failed_is_one_line_whatever_its_error_holds():
    step = Step(Action.CONNECT, Kind.CONTAINER, "r-a", network="r-lan", host="h2")
    assert done_line(step, 0.25, None) == "  ok connected container r-a (r-lan) on h2 in 0.2s"
    assert done_line(step, 1, "refused\n# fake") == "  ! container r-a on h2: connect failed: refused\\n# fake"


def test_destroy_tells_a_typo_from_a_clean_engine():
    other = Observed((net_api(LAB, "lan"),), ())
    empty = Plan("rr", mode=Mode.DESTROY)
    assert destroy_text(empty, 0, [other]) == ("lab rr: nothing to remove; no object on this engine is labelled 'rr': "
                                               "did you mean r? (labs here: r; `dockerlab ls` lists them)")
    far = Plan("numbers", mode=Mode.DESTROY)
    assert "did you mean" not in destroy_text(far, 0, [other])
    assert destroy_text(Plan("r", (Step(Action.REMOVE, Kind.NETWORK, "r-lan"),), Mode.DESTROY, ("kept x",)), 1,
                        None) == "lab r: removed 1 object\nnote: kept x"


def test_ls_counts_each_labs_containers_and_networks():
    seen = Observed((net_api(LAB, "lan"),), (box_api(LAB, "a", "exited"),))
    assert labs_text(seen, "h1").splitlines() == ["h1:", "LAB  RUNNING  NETWORKS  FILE",
                                                  "r    0/1      1         lab.yaml"]
    assert labs_text(Observed((), ())) == "no dockerlab labs on this engine"


def test_the_checks_table_says_what_failed_and_why_in_full():
    long = "x" * 200
    results = [CheckResult(LAB.checks[0], "ping 10.0.0.9", Got.UNREACHABLE, long)]
    text = checks_text("r", results)
    assert "a to b  a     10.0.0.9  ping 10.0.0.9  reachable  unreachable  FAIL" in text
    assert f"why:\n  a to b: {long}" in text and text.endswith("lab r: 0 of 1 checks passed")


def test_the_json_plan_has_every_step_with_its_reason():
    step = Step(Action.RECREATE, Kind.NETWORK, "r-lan", "lan", "bridge", ("subnet a -> b",), docker_id="n1")
    data = json.loads(plan_json(Plan("r", (step,))))
    assert data["summary"] == {"recreate": 1} and data["steps"][0]["causes"] == ["subnet a -> b"]
    assert data["steps"][0]["params"] == {"id": "n1", "scope": "local", "attached": []}
