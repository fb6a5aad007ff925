"""`dockerlab events` and `dockerlab view` against a real engine: what the engine reports of a lab changed by hand
(disconnect, stop) and by dockerlab (apply repairs it), as lines and JSON; and the page in a real browser
(Debian's chromium, driven by Selenium through Debian's chromedriver), which must follow a change within 2 s and
run checks."""

import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest
from helpers import ROOT, dockerlab

pytestmark = pytest.mark.engine

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def _lab(make_lab, labs_dir, apply=True):
    """labs/user-bridge.yaml under a test name: its path, and its objects' Docker names by key."""
    from dockerlab.labfile.load import load_lab

    path, _ = make_lab((labs_dir / "user-bridge.yaml").read_text())
    if apply:
        dockerlab("apply", path, ok=True)
    model = load_lab(path)
    return path, {o.key: o.name for o in (*model.networks, *model.containers)}


class Running:
    """A dockerlab command left running, its output read line by line as it comes."""

    def __init__(self, *args: str) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "dockerlab", *args], cwd=ROOT, text=True,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.lines: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.proc.stdout], daemon=True).start()
        threading.Thread(target=lambda: [self.err.append(line) for line in self.proc.stderr], daemon=True).start()

    def until(self, found, seconds: float = 15.0) -> list[str]:
        """Lines up to the first for which found(line) is true."""
        seen, end = [], time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                continue
            seen.append(line)
            if found(line):
                return seen
        raise AssertionError(f"not seen in {seconds} s; seen: {seen}; stderr: {self.err}")

    def ready(self, said: str, seconds: float = 15.0) -> None:
        """Until its stderr says `said` (that it follows the lab now)."""
        end = time.monotonic() + seconds
        while not any(said in line for line in self.err):
            assert time.monotonic() < end and self.proc.poll() is None, f"never said {said!r}: {self.err}"
            time.sleep(0.05)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        code = self.proc.wait(timeout=15)
        time.sleep(0.2)
        assert not any("Traceback" in line for line in self.err), "".join(self.err)
        return code


def test_events_tell_what_the_engine_does_to_the_lab_and_its_drift(make_lab, labs_dir, docker_client):
    path, name = _lab(make_lab, labs_dir)
    three, four, numbers = name["three"], name["four"], name["numbers"]
    follow = Running("events", path, "--json")
    follow.ready("following lab")
    try:
        docker_client.api.disconnect_container_from_network(four, numbers)
        told = [json.loads(line) for line in follow.until(lambda line: '"drift"' in line)]
        gone = next(e for e in told if e["action"] == "disconnect")
        assert gone["name"] == four and gone["network"] == numbers
        assert gone["address"].startswith("172.28.5."), gone  # where it was: inside the ip_range
        assert any(e["what"] == "drift" and e["name"] == four for e in told)
        docker_client.api.stop(three, timeout=0)
        died = json.loads(follow.until(lambda line: '"die"' in line)[-1])
        assert died["name"] == three and died["exit_code"] == 137
        follow.until(lambda line: '"drift"' in line and three in line)  # told once the burst has passed
        dockerlab("apply", path, ok=True)
        repaired = [json.loads(line) for line in follow.until(
            lambda line: '"repaired"' in line and three in line, 30)]
        back = [e for e in repaired if e["action"] == "connect" and e["name"] == four]
        assert back and back[-1]["address"].startswith("172.28."), repaired
        assert any(e["action"] == "start" and e["name"] == three for e in repaired)
    finally:
        assert follow.stop() == 0
    # what the last two minutes did, then it ends by itself
    replay = dockerlab("events", path, "--since", "120", "--for", "0", ok=True).stdout.splitlines()
    assert any(f"container {three} die (exit 137)" in line for line in replay), replay
    assert any(f"container {four} disconnect {numbers} 172.28.5." in line for line in replay), replay
    dockerlab("destroy", path, ok=True)


def test_events_follow_a_staged_lab_from_stage_to_stage_without_false_drift(make_lab, labs_dir, docker_client):
    path, _ = make_lab((labs_dir / "bridge-walk.yaml").read_text())
    dockerlab("apply", path, ok=True)
    follow = Running("events", path)
    follow.ready("following lab")
    try:
        dockerlab("apply", path, "--stage", "web", ok=True)
        seen = follow.until(lambda line: line.rstrip().endswith("stage web now"), 30)
        assert any(" start" in line for line in seen), seen  # the web stage's new container
        dockerlab("apply", path, "--stage", "default-bridge", ok=True)
        seen += follow.until(lambda line: line.rstrip().endswith("stage default-bridge now"), 30)
        assert not [line for line in seen if " drift " in line], seen  # an apply's own steps are not drift
    finally:
        assert follow.stop() == 0
    dockerlab("destroy", path, ok=True)


def test_events_of_a_lab_that_is_not_there_and_of_an_engine_that_is_not(make_lab, labs_dir, docker_client):
    path, name = _lab(make_lab, labs_dir, apply=False)
    replay = dockerlab("events", path, "--for", "0", ok=True).stdout.splitlines()
    assert any(f"drift {name['three']} missing" in line for line in replay), replay  # all of it: never applied
    gone = dockerlab("events", path, env={"DOCKER_HOST": "unix:///nonexistent/docker.sock"})
    assert gone.returncode == 1 and gone.stderr.startswith("dockerlab: ") and gone.stdout == ""


@pytest.fixture
def browser(tmp_path):
    if not (CHROMIUM and DRIVER):
        pytest.skip("needs Debian's chromium and chromium-driver (make test installs them)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={tmp_path / 'chromium'}", "--window-size=1500,950"):
        options.add_argument(arg)
    driver = webdriver.Chrome(options=options, service=Service(DRIVER))
    yield driver
    driver.quit()


def _wait(driver, script: str, seconds: float = 10.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if value := driver.execute_script(script):
            return value
        time.sleep(0.05)
    raise AssertionError(f"in {seconds} s the page never had: {script}")


def _refused(url: str, headers: dict) -> int:
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers=headers, method="POST", data=b"{}"), timeout=5)
    except urllib.error.HTTPError as exc:
        return exc.code
    return 200


def test_the_view_draws_the_lab_follows_a_change_within_2s_and_runs_checks(make_lab, labs_dir, docker_client,
                                                                        browser):
    from dockerlab.labfile.load import load_lab

    path, name = _lab(make_lab, labs_dir)
    server = Running("view", path)
    try:
        url = server.until(lambda line: "http://127.0.0.1:" in line)[-1].split(" at ")[1].split()[0]
        assert "?token=" in url
        browser.get(url)
        _wait(browser, "return window.dockerlabView.cy && window.dockerlabView.live")
        nodes = set(browser.execute_script("return window.dockerlabView.cy.nodes().map(n => n.id())"))
        model = load_lab(path)
        assert {f"n:{n.key}" for n in model.networks} | {"n:bridge"} <= nodes
        assert {f"c:{c.key}" for c in model.containers} <= nodes
        three = browser.execute_script("return window.dockerlabView.cy.getElementById('l:three:numbers').data()")
        assert three["label"].startswith("172.28.0.3\n02:42:") or three["label"].startswith("172.28.0.3\n"), three
        assert "172.28.0.3" in browser.find_element("id", "containers").text

        changed = time.monotonic()
        docker_client.api.disconnect_container_from_network(name["four"], name["numbers"])
        _wait(browser, "return window.dockerlabView.cy.getElementById('l:four:numbers').hasClass('missing')", 2.0)
        took = time.monotonic() - changed
        assert took < 2.0
        _wait(browser, "return document.getElementById('drift').textContent.includes('" + name["four"] + "')", 2.0)

        browser.find_element("id", "run-all").click()
        _wait(browser, "return document.querySelectorAll('#checks li.fail, #checks li.pass').length === "
                       f"{len(model.checks)}", 60)
        failed = browser.find_element("css selector", "#checks li.fail")
        assert "same bridge by ip" in failed.text and failed.find_element("class name", "reason").text
        by_name = [li for li in browser.find_elements("css selector", "#checks li.fail") if "by name" in li.text]
        assert by_name and "hint: Names are answered by Docker's DNS" in by_name[0].text
        assert browser.execute_script("return window.dockerlabView.cy.edges('[index = 0]').hasClass('fail')")
        if shot := os.environ.get("DOCKERLAB_VIEW_SHOT"):  # the README's picture: make it with this test
            browser.save_screenshot(shot)

        dockerlab("apply", path, ok=True)  # repaired: then a fault, whose symptoms the page finds by itself
        dockerlab("break", path, "alias-typo")
        _wait(browser, "return !document.getElementById('fault').hidden && "
                       "document.getElementById('symptoms').textContent.includes('alias resolves')", 30)

        base, token = url.split("?")
        port = base.rsplit(":", 1)[1].strip("/")
        own = {"Origin": f"http://127.0.0.1:{port}"}
        assert _refused(f"{base}check?{token}", {"Host": f"evil.example:{port}", **own}) == 403  # DNS rebinding
        assert _refused(f"{base}check?{token}", {"Origin": "http://evil.example"}) == 403  # another site's page
        assert _refused(f"{base}check?token=guessed", own) == 403  # another user of the machine
    finally:
        assert server.stop() == 0
    assert "stopped" in "".join(server.err)
    with pytest.raises(OSError):  # nothing listens there any more
        urllib.request.urlopen(url, timeout=2)
    dockerlab("destroy", path, ok=True)
