"""Check results as JUnit XML, which CI systems show: a test suite per lab (or per student), a test case per
check, the reason as a failure's message. A failed check of `level: warn` is a pass with its warning as output."""

from __future__ import annotations

from xml.etree import ElementTree as ET

from dockerlab.core.words import say_in
from dockerlab.learn.checkresult import CheckResult
from dockerlab.printable import lines, shown  # XML 1.0 cannot hold most control characters: escaped, as printed


def junit_xml(suites: list[tuple[str, list[CheckResult]]]) -> str:
    """suites: (name, results) each, in order."""
    root = ET.Element("testsuites", tests=str(sum(len(r) for _, r in suites)),
                      failures=str(sum(_failures(r) for _, r in suites)))
    for name, results in suites:
        suite = ET.SubElement(root, "testsuite", name=shown(name), tests=str(len(results)),
                              failures=str(_failures(results)), errors="0", skipped="0",
                              time=f"{sum(r.seconds for r in results):.3f}")
        for result in results:
            _case(suite, name, result)
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def _failures(results: list[CheckResult]) -> int:
    return sum(r.fails_run for r in results)


def _case(suite: ET.Element, classname: str, result: CheckResult) -> None:
    c = result.check
    case = ET.SubElement(suite, "testcase", classname=shown(classname), name=shown(c.label),
                         time=f"{result.seconds:.3f}")
    said = f"{c.source} -> {c.target or '-'}: {result.how}; expected {c.expect}, got {result.got}"
    hint = f"\nhint: {say_in(c.hint)}" if c.hint and not result.passed else ""
    if result.fails_run:
        ET.SubElement(case, "failure", message=shown(result.reason or str(result.got)),
                      type=str(result.got)).text = lines(said + hint)
    elif not result.passed:
        ET.SubElement(case, "system-out").text = lines(f"warning: {said}: {result.reason}{hint}")
