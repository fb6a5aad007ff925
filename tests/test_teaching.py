"""Labs that teach, the pure parts: text per language, hints, points, warnings, predictions, JUnit, --only.
Fabricated results; the engine tests (test_engine_teaching.py) run the same against a real engine."""

from xml.etree import ElementTree as ET

import pytest

from dockerlab.cli.checks import only_these
from dockerlab.cli.predicting import score_text
from dockerlab.cli.render import checks_text, lesson_text
from dockerlab.core import words
from dockerlab.core.expect import Expect, Got
from dockerlab.errors import DockerlabError
from dockerlab.labfile.load import parse_lab
from dockerlab.learn.checkresult import CheckResult, score
from dockerlab.learn.checks import asked
from dockerlab.learn.junit import junit_xml
from dockerlab.learn.predict import question, read_predictions, scored

LAB = parse_lab("""
name: t
lesson: {en: "Ping three from one.\\nWhat happens?", ja: "oneからthreeへpingを送ってみよう。"}
containers:
  one: {image: busybox}
  three: {image: busybox}
checks:
  - {name: isolated, from: one, to: three, expect: unreachable, points: 3,
     hint: {en: which bridge is one on?, ja: oneはどのブリッジにいる?}}
  - {name: dns, from: one, to: three, expect: resolves, points: 2, level: warn, within: 5s}
  - {from: three, expect: interface, interface: eth0, mtu: 1500}
""", "t.yaml")
ISOLATED, DNS, MTU = LAB.checks


@pytest.fixture(autouse=True)
def _no_language(monkeypatch):
    for name in ("DOCKERLAB_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    words.speak(None)


def test_text_comes_in_the_language_asked_else_the_first(monkeypatch):
    assert words.say_in(ISOLATED.hint, "ja") == "oneはどのブリッジにいる?"
    assert words.say_in(ISOLATED.hint, "ja-JP") == "oneはどのブリッジにいる?"
    assert words.say_in(ISOLATED.hint, "de") == "which bridge is one on?"
    assert words.say_in(words.words("plain"), "ja") == "plain"
    monkeypatch.setenv("LANG", "ja_JP.UTF-8")
    assert words.spoken() == "ja-JP" and words.say_in(ISOLATED.hint) == "oneはどのブリッジにいる?"
    monkeypatch.setenv("DOCKERLAB_LANG", "en")
    assert words.spoken() == "en"
    words.speak("ja")  # --lang: over the environment
    assert words.spoken() == "ja"
    monkeypatch.setenv("LANG", "C.UTF-8")
    words.speak(None)
    assert words.spoken() == "en"


def test_the_lab_file_gives_the_teaching_keys_their_types():
    assert (ISOLATED.points, ISOLATED.warn, ISOLATED.within) == (3, False, None)
    assert (DNS.points, DNS.warn, DNS.within) == (2, True, 5.0)
    assert MTU.label == f"line {MTU.line}" and MTU.points is None and MTU.hint == ()
    assert lesson_text(LAB) == "lesson:\n  Ping three from one.\n  What happens?"


def result(check, got, reason=""):
    return CheckResult(check, "ping 172.17.0.3" if check is ISOLATED else "dns three", got, reason, 0.5)


def test_the_table_shows_hints_of_failed_checks_warnings_and_the_score():
    results = [result(ISOLATED, Got.REACHABLE, "got through"), result(DNS, Got.UNRESOLVABLE, "NXDOMAIN"),
               result(MTU, Got.INTERFACE)]
    text = checks_text("t", results)
    lines = text.splitlines()
    assert lines[1].endswith("got through") and lines[2].endswith("NXDOMAIN")
    assert "  isolated: which bridge is one on?" in lines and "hints:" in lines
    assert "FAIL" in lines[1] and "warn" in lines[2] and "pass" in lines[3]
    assert lines[-2:] == ["lab t: 1 of 3 checks passed (1 warned)", "score: 1 of 6 points"]
    assert [r.fails_run for r in results] == [True, False, False]
    assert score(results) == (1, 6)
    assert score([result(MTU, Got.INTERFACE)]) is None  # a lab without points has no score


def test_a_name_check_says_what_was_asked_and_what_it_resolved_to():
    assert asked("ping 172.28.5.4", "four", "172.28.5.4") == "ping four (172.28.5.4)"
    assert asked("tcp 172.28.5.4:80", "web", "172.28.5.4") == "tcp web:80 (172.28.5.4)"
    assert asked("dns four", "four", "172.28.5.4") == "dns four"


def test_only_picks_checks_by_name_and_says_which_names_there_are():
    assert only_these(LAB, "dns, isolated").checks == (ISOLATED, DNS)
    with pytest.raises(DockerlabError, match="no check named 'nope'; its checks: dns, isolated"):
        only_these(LAB, "nope")


def test_a_question_hides_the_expectation():
    assert question(ISOLATED) == "one -> three: reachable or unreachable?"
    assert question(DNS) == "one -> three: resolves or unresolvable?"
    assert question(MTU) == "three interface eth0 mtu 1500: interface or no-interface?"
    assert Expect.UNREACHABLE.outcomes == (Expect.REACHABLE, Expect.UNREACHABLE)


def test_predictions_are_read_and_scored_against_what_was_found():
    said = read_predictions(LAB, {"isolated": "reachable", "dns": "resolves", MTU.label: "interface"}, "p.yaml")
    results = [result(ISOLATED, Got.UNREACHABLE, "100% packet loss"), result(DNS, Got.RESOLVES),
               result(MTU, Got.ERROR, "three is not running")]
    verdicts = scored(LAB, results, said)
    assert [(v.found, v.right, v.counted) for v in verdicts] == [
        ("unreachable", False, True), ("resolves", True, True), ("no-interface", False, False)]
    assert score_text(verdicts).splitlines() == [
        "predictions: 1 of 2 right (1 checks could not run)", "wrong:",
        "  isolated: you said reachable, it was unreachable: 100% packet loss"]


@pytest.mark.parametrize(("data", "message"), [
    (["reachable"], "maps each check's name to an answer, as `isolated: reachable`"),
    ({"isolated": "up", "dns": "resolves", "x": "y"}, "no check is called 'x'"),
    ({"isolated": "up", "dns": "resolves"}, "isolated: 'up' is not an answer; say reachable or unreachable"),
    ({"isolated": "reachable"}, "no prediction for dns, line"),
])
def test_a_predictions_file_that_does_not_fit_says_why(data, message):
    with pytest.raises(DockerlabError, match=message.replace("(", r"\(")):
        read_predictions(LAB, data, "p.yaml")


def test_junit_has_a_case_per_check_a_failure_with_the_reason_and_warnings_as_output():
    results = [result(ISOLATED, Got.REACHABLE, "got \x1b[2Jthrough"), result(DNS, Got.UNRESOLVABLE, "NXDOMAIN"),
               result(MTU, Got.INTERFACE)]
    root = ET.fromstring(junit_xml([("t", results)]))
    suite = root.find("testsuite")
    assert (root.get("tests"), root.get("failures"), suite.get("name"), suite.get("time")) == ("3", "1", "t", "1.500")
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["isolated", "dns", MTU.label]
    failure = cases[0].find("failure")
    assert failure.get("message") == "got \\x1b[2Jthrough" and failure.get("type") == "reachable"
    assert failure.text == ("one -> three: ping 172.17.0.3; expected unreachable, got reachable\n"
                            "hint: which bridge is one on?")
    assert cases[1].find("failure") is None and cases[1].find("system-out").text.startswith("warning: one -> three")
    assert list(cases[2]) == []


def test_a_check_that_could_not_run_shows_its_reason_not_the_lessons_hint():
    """The hint is for a check that ran and came out otherwise; one that errored (not applied, no tool) says why."""
    text = checks_text("t", [result(ISOLATED, Got.ERROR, "target one is not on the engine; run `dockerlab apply`")])
    assert "which bridge is one on?" not in text and "run `dockerlab apply`" in text
