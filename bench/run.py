"""Benchmark: dockerlab against the docker CLI (sequential and 8-way parallel), docker-compose
1.29 and Ansible (community.docker), on generated labs of N busybox containers over M bridges.

Each round runs every tool once per size, in an order that rotates between rounds, so that
drift in the engine's speed is shared out. Medians over rounds; ratios to dockerlab.
Usage: python bench/run.py [--sizes 10,30,100] [--rounds 3] [--tools dockerlab,cli-seq,...]
Writes bench/RESULTS.md. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCKERLAB = [str(ROOT / ".venv/bin/dockerlab")]
ANSIBLE = os.environ.get("BENCH_ANSIBLE", str(ROOT / "bench/.venv/bin/ansible-playbook"))
PHASES = ("cold apply", "no-op apply", "plan", "check", "one-container change", "one-network change", "destroy")
CHANGED = 5  # containers that join the new network in the one-network change
PARALLEL = 8
LIMIT = 600.0  # seconds one command may take (--limit): docker-compose 1.29 needs far longer for 300 services
IMAGE = "busybox"
LABEL = "dockerlab.bench=1"  # on everything the CLI and Ansible runs make, so leftovers can be found


def networks_for(n: int) -> int:
    return max(1, n // 10)


def names(n: int) -> tuple[list[str], list[tuple[str, str]]]:
    """Network names and (container, network) pairs of the generated lab of size n."""
    nets = [f"bn{j}" for j in range(networks_for(n))]
    return nets, [(f"bc{i}", nets[i % len(nets)]) for i in range(n)]


def peers(boxes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """One check per container: it pings the next container on its network, by name."""
    members: dict[str, list[str]] = {}
    for box, net in boxes:
        members.setdefault(net, []).append(box)
    return [(box, members[net][(members[net].index(box) + 1) % len(members[net])]) for box, net in boxes]


Timing = tuple[float, int]  # wall seconds, peak RSS in KiB


class ToolFailed(RuntimeError):
    """A tool's command failed; the round records it and goes on."""


# Python tools keep their bytecode cache, as they do on a user's machine (some CI images switch it off)
AS_ON_A_USERS_MACHINE = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


class GaveUp(ToolFailed):
    """A command ran past the time limit: the tool is not run again at that size."""


def run(argv: list[str], env: dict | None = None, expect: str = "") -> Timing:
    """Wall seconds and peak RSS (KiB) of one command, which must succeed (and print `expect`) within LIMIT."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**AS_ON_A_USERS_MACHINE, **(env or {})})
    stopper = threading.Timer(LIMIT, proc.kill)
    stopper.start()
    _, status, usage = os.wait4(proc.pid, 0)
    stopper.cancel()
    seconds = time.perf_counter() - start
    if seconds >= LIMIT:
        running = subprocess.run(["docker", "ps", "-q"], capture_output=True, text=True).stdout.split()
        raise GaveUp(f"{Path(argv[0]).name} did not finish within {LIMIT:.0f} s ({len(running)} containers "
                     "running when it was stopped)")
    output = proc.stdout.read() if proc.stdout else ""
    if os.waitstatus_to_exitcode(status) != 0:
        errors = [ln for ln in output.splitlines() if re.search(r"fatal|failed:|error|Error", ln)]
        raise ToolFailed(f"{Path(argv[0]).name} failed: " + (" | ".join(errors[:3]) or output[-500:])[:600])
    if expect not in output:
        raise ToolFailed(f"{' '.join(Path(a).name for a in argv[:2])} did not say '{expect}': {output[-300:]}")
    return seconds, usage.ru_maxrss


def sh(script: str) -> Timing:
    return run(["bash", "-euo", "pipefail", "-c", script])


class Tool:
    name = ""

    def __init__(self, n: int, workdir: Path) -> None:
        self.n, self.dir = n, workdir
        self.nets, self.boxes = names(n)
        self.dir.mkdir(parents=True, exist_ok=True)

    def up(self) -> Timing: ...
    def noop(self) -> Timing | None: return None
    def plan(self) -> Timing | None: return None
    def check(self) -> Timing | None: return None
    def change_one(self) -> Timing | None: return None  # bc0 gets another command: made anew
    def add_network(self) -> Timing | None: return None  # a new network, joined by 5 running containers
    def down(self) -> Timing: ...


class Dockerlab(Tool):
    name = "dockerlab"

    def __init__(self, n: int, workdir: Path) -> None:
        super().__init__(n, workdir)
        self.file = self.dir / "lab.yaml"
        self.write()

    def write(self, command: str = "infinity", extra_network: bool = False) -> None:
        lines = [f"name: bench{self.n}", 'prefix: ""', "networks:"]
        lines += [f"  {net}: {{subnet: 10.250.{j}.0/24}}" for j, net in enumerate(self.nets)]
        lines += ["  bnx: {subnet: 10.251.0.0/24}"] if extra_network else []
        lines.append("containers:")
        for i, (box, net) in enumerate(self.boxes):
            nets = f"{net}, bnx" if extra_network and 1 <= i <= CHANGED else net
            lines.append(f"  {box}: {{image: {IMAGE}, command: [sleep, {command if i == 0 else 'infinity'}], "
                         f"networks: [{nets}]}}")
        lines += ["checks:"] + [f"  - {{from: {a}, to: {b}, by: name}}" for a, b in peers(self.boxes)]
        self.file.write_text("\n".join(lines) + "\n")

    def up(self) -> Timing: return run([*DOCKERLAB, "apply", str(self.file), "--parallel", str(PARALLEL)])
    def noop(self) -> Timing: return run([*DOCKERLAB, "apply", str(self.file)], expect="no changes")
    def plan(self) -> Timing: return run([*DOCKERLAB, "plan", str(self.file)])
    def check(self) -> Timing: return run([*DOCKERLAB, "check", str(self.file)])

    def change_one(self) -> Timing:
        self.write(command="'3600'")
        return run([*DOCKERLAB, "apply", str(self.file)])

    def add_network(self) -> Timing:
        self.write(command="'3600'", extra_network=True)
        return run([*DOCKERLAB, "apply", str(self.file)])

    def down(self) -> Timing: return run([*DOCKERLAB, "destroy", str(self.file)])


class CliSequential(Tool):
    """What a study group writes first: one docker command per line."""
    name = "cli-seq"

    def create_networks(self) -> str:
        return "\n".join(f"docker network create --label {LABEL} --subnet 10.250.{j}.0/24 {net} >/dev/null"
                         for j, net in enumerate(self.nets))

    def up(self) -> Timing:
        runs = "\n".join(f"docker run -d --label {LABEL} --name {box} --network {net} {IMAGE} sleep infinity >/dev/null"
                         for box, net in self.boxes)
        return sh(self.create_networks() + "\n" + runs)

    def down(self) -> Timing:
        boxes = " ".join(box for box, _ in self.boxes)
        return sh(f"docker rm -f {boxes} >/dev/null\ndocker network rm {' '.join(self.nets)} >/dev/null\n"
                  "docker network rm bnx >/dev/null 2>&1 || true")

    def change_one(self) -> Timing:
        box, net = self.boxes[0]
        return sh(f"docker rm -f {box} >/dev/null\n"
                  f"docker run -d --label {LABEL} --name {box} --network {net} {IMAGE} sleep 3600 >/dev/null")

    def each(self, lines: list[str], command: str) -> str:
        """A script: one docker command per line of arguments ($0 $1), one after the other (cli-par: 8 at once)."""
        return "\n".join(command.replace("$0", a).replace("$1", b) for a, b in (ln.split() for ln in lines))

    def add_network(self) -> Timing:
        return sh(f"docker network create --label {LABEL} --subnet 10.251.0.0/24 bnx >/dev/null\n"
                  + self.each([f"{box} -" for box, _ in self.boxes[1:CHANGED + 1]], "docker network connect bnx $0"))

    def check(self) -> Timing:
        return sh(self.each([f"{a} {b}" for a, b in peers(self.boxes)], "docker exec $0 ping -c 1 -W 2 $1 >/dev/null"))


class CliParallel(CliSequential):
    """The same commands, 8 at a time: the engine's floor."""
    name = "cli-par"

    def each(self, lines: list[str], command: str) -> str:
        pairs = "\n".join(lines)
        return f"printf '%s\\n' '{pairs}' | xargs -P {PARALLEL} -L 1 sh -c '{command}'"

    def up(self) -> Timing:
        return sh(self.create_networks() + "\n" + self.each(
            [f"{box} {net}" for box, net in self.boxes],
            f"docker run -d --label {LABEL} --name $0 --network $1 {IMAGE} sleep infinity >/dev/null"))


class EngineFloor(Tool):
    """The parallel CLI's requests from one process, timed inside (bench/floor.py): the engine's own time."""
    name = "engine"

    def step(self, which: str) -> Timing:
        argv = [str(ROOT / ".venv/bin/python"), str(ROOT / "bench/floor.py"), which, str(self.n)]
        try:
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=LIMIT)
        except subprocess.TimeoutExpired:
            raise GaveUp(f"floor.py {which} did not finish within {LIMIT:.0f} s") from None
        if proc.returncode != 0:
            raise ToolFailed(f"floor.py {which} failed: {proc.stderr.strip().splitlines()[-1:]}")
        return float(proc.stdout), 0

    def up(self) -> Timing: return self.step("up")
    def down(self) -> Timing: return self.step("down")


class Compose(Tool):
    name = "compose"

    def __init__(self, n: int, workdir: Path) -> None:
        super().__init__(n, workdir)
        self.file = self.dir / "docker-compose.yml"
        self.write()
        self.base = ["docker-compose", "-f", str(self.file), "-p", f"bench{n}"]

    def write(self, command: str = "infinity", extra_network: bool = False) -> None:
        networks = {net: {"ipam": {"config": [{"subnet": f"10.250.{j}.0/24"}]}} for j, net in enumerate(self.nets)}
        if extra_network:
            networks["bnx"] = {"ipam": {"config": [{"subnet": "10.251.0.0/24"}]}}
        services = {box: {"image": IMAGE, "command": ["sleep", command if i == 0 else "infinity"],
                          "networks": [net, "bnx"] if extra_network and 1 <= i <= CHANGED else [net]}
                    for i, (box, net) in enumerate(self.boxes)}
        self.file.write_text(json.dumps({"version": "2.4", "networks": networks, "services": services}, indent=1))

    def up(self) -> Timing: return run([*self.base, "up", "-d"])
    def noop(self) -> Timing: return run([*self.base, "up", "-d"])

    def change_one(self) -> Timing:
        self.write(command="3600")
        return run([*self.base, "up", "-d"])

    def add_network(self) -> Timing:
        self.write(command="3600", extra_network=True)
        return run([*self.base, "up", "-d"])
    def down(self) -> Timing: return run([*self.base, "down"])


class Ansible(Tool):
    name = "ansible"

    def __init__(self, n: int, workdir: Path) -> None:
        super().__init__(n, workdir)
        python = str(Path(ANSIBLE).parent / "python")
        nets = [{"name": net, "subnet": f"10.250.{j}.0/24"} for j, net in enumerate(self.nets)]
        boxes = [{"name": box, "net": net} for box, net in self.boxes]

        def play(state: str) -> list[dict]:
            net_task = {"community.docker.docker_network": {
                "name": "{{ item.name }}", "state": state,
                **({"ipam_config": [{"subnet": "{{ item.subnet }}"}], "labels": {"dockerlab.bench": "1"}}
                   if state == "present" else {})},
                "loop": nets}
            box_task = {"community.docker.docker_container": {
                "name": "{{ item.name }}", "state": "started" if state == "present" else "absent",
                "force_kill": True,
                **({"image": IMAGE, "command": ["sleep", "infinity"], "networks": [{"name": "{{ item.net }}"}],
                    "labels": {"dockerlab.bench": "1"},
                    "networks_cli_compatible": True, "network_mode": "{{ item.net }}"}
                   if state == "present" else {})},
                "loop": boxes}
            tasks = [net_task, box_task] if state == "present" else [box_task, net_task]
            return [{"hosts": "localhost", "connection": "local", "gather_facts": False,
                     "vars": {"ansible_python_interpreter": python}, "tasks": tasks}]
        self.up_file, self.down_file = self.dir / "up.yml", self.dir / "down.yml"
        self.up_file.write_text(json.dumps(play("present")))
        self.down_file.write_text(json.dumps(play("absent")))
        self.env = {"ANSIBLE_LOCALHOST_WARNING": "false", "ANSIBLE_INVENTORY_UNPARSED_WARNING": "false"}

    def playbook(self, path: Path, *extra: str) -> Timing:
        return run([ANSIBLE, "-i", "localhost,", str(path), *extra], env=self.env)

    def up(self) -> Timing: return self.playbook(self.up_file)
    def noop(self) -> Timing: return self.playbook(self.up_file)
    def plan(self) -> Timing: return self.playbook(self.up_file, "--check")
    def down(self) -> Timing: return self.playbook(self.down_file)


TOOLS = {t.name: t for t in (Dockerlab, CliSequential, CliParallel, Compose, Ansible, EngineFloor)}


def cleanup() -> None:
    """Remove what an interrupted earlier run left: only objects this benchmark labels or names."""
    script = f"""
    docker ps -aq --filter label={LABEL} | xargs -r docker rm -f
    for p in $(docker ps -a --format '{{{{.Label "com.docker.compose.project"}}}}' | grep -E '^bench[0-9]+$' | sort -u)
    do docker ps -aq --filter label=com.docker.compose.project=$p | xargs -r docker rm -f; done
    docker network ls -q --filter label={LABEL} | xargs -r docker network rm
    docker network ls --format '{{{{.Name}}}}' | grep -E '^bench[0-9]+_bn[0-9]+$' | xargs -r docker network rm
    for n in $(docker ps -a --format '{{{{.Label "io.dockerlab.lab"}}}}' | grep -E '^bench[0-9]+$' | sort -u) \\
             $(docker network ls --format '{{{{.Label "io.dockerlab.lab"}}}}' | grep -E '^bench[0-9]+$' | sort -u)
    do {DOCKERLAB[0]} destroy --lab $n >/dev/null; done
    """
    subprocess.run(["bash", "-c", script], capture_output=True)  # an empty grep is not a failure here


def leftovers() -> list[str]:
    """Benchmark objects still on the engine: after a tool's teardown there should be none."""
    names = subprocess.run(["bash", "-c", "docker ps -a --format '{{.Names}}'; docker network ls --format '{{.Name}}'"],
                           capture_output=True, text=True).stdout.split()
    return [n for n in names if re.fullmatch(r"bc\d+|bn\d+|bench\d+_b[cn]\d+(_\d+)?", n)]


def measure(tool: Tool) -> dict:
    try:
        return _measure(tool)
    except ToolFailed as exc:
        print(f"  {tool.name} N={tool.n}: {exc}", flush=True)
        return {p: None for p in PHASES} | {"rss": 0, "failed": str(exc), "gave_up": isinstance(exc, GaveUp),
                                            "restarted": clear_up()}


def _measure(tool: Tool) -> dict:
    out: dict = {}
    seconds, rss = tool.up()
    out["cold apply"], out["rss"] = seconds, rss
    for phase, fn in (("no-op apply", tool.noop), ("plan", tool.plan), ("check", tool.check),
                      ("one-container change", tool.change_one), ("one-network change", tool.add_network)):
        result = fn()
        out[phase] = result[0] if result else None
        if result and tool.name == "dockerlab":
            out["rss"] = max(out["rss"], result[1])
    out["destroy"] = tool.down()[0]
    time.sleep(1)
    left = leftovers()
    out["left"] = len(left)
    if left:  # a teardown that is not complete: note it and clear up before the next tool
        print(f"  {tool.name} left {len(left)} objects after its teardown: {' '.join(left[:5])}", flush=True)
        out["restarted"] = clear_up()
    return out


def clear_up() -> bool:
    """Remove what a tool left; True when only an engine restart could (see restart_engine)."""
    cleanup()
    return bool(leftovers()) and restart_engine()


def restart_engine() -> bool:
    """Docker before 28.1 can lose count of a network's endpoints when containers on it are removed at once
    (moby/moby#42119): the network cannot be removed until the daemon restarts, and the next tool's network of
    that subnet would fail. Restart this machine's engine (make engine) when nothing but the bench runs on it."""
    others = subprocess.run(["docker", "ps", "-q", "--filter", "status=running"], capture_output=True,
                            text=True).stdout.split()
    if others:
        sys.exit(f"bench: a network the engine lost count of is left ({', '.join(leftovers())}); containers "
                 "outside the bench run, so the bench will not restart the engine: restart it, then run again")
    print("  the engine lost count of a network's endpoints (moby/moby#42119): restarting it", flush=True)
    subprocess.run(["pkill", "-x", "dockerd"])
    while subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True).returncode == 0:
        time.sleep(0.5)
    subprocess.run(["bash", str(ROOT / "scripts/setup-engine.sh")], check=True, capture_output=True)
    cleanup()
    return True


def median(values: list) -> float | None:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def versions() -> dict[str, str]:
    def first_line(argv: list[str]) -> str:
        try:
            return subprocess.run(argv, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except (OSError, IndexError):
            return "not installed"
    engine_format = "{{.Server.Version}} (API {{.Server.APIVersion}})"
    return {"engine": first_line(["docker", "version", "--format", engine_format]),
            "docker-compose": first_line(["docker-compose", "version", "--short"]),
            "ansible": first_line([ANSIBLE, "--version"]),
            "python": platform.python_version()}


def report(results: dict, sizes: list[int], tools: list[str], rounds: int, started: str) -> str:
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    lines = ["# dockerlab benchmark", "",
             f"Run {started} on {platform.node() or 'this machine'}: {os.cpu_count()} cores, "
             f"{int(meminfo) // 1024 // 1024} GiB, kernel {platform.release()}.",
             "Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
             f"{rounds} rounds, tools in rotating order; medians in seconds (ratio to dockerlab). "
             f"Labs: N busybox containers over N/10 bridges with subnets; dockerlab and the parallel CLI "
             f"run {PARALLEL} steps at once. Every command includes its interpreter's start "
             "(Python's bytecode cache on, as on a user's machine), except `engine`: the parallel CLI's requests "
             "sent from one process and timed inside it (bench/floor.py), the engine's own time.", "",
             "![time against N, per tool and step](RESULTS.png)", "",
             "| N | tool | " + " | ".join(PHASES) + " |", "|---|---|" + "---|" * len(PHASES)]
    for n in sizes:
        base = {p: median([r[p] for r in results[n]["dockerlab"]]) for p in PHASES} if "dockerlab" in tools else {}
        for tool in tools:
            cells = []
            for phase in PHASES:
                value = median([r[phase] for r in results[n][tool]])
                ratio = f" ({value / base[phase]:.2f}x)" if value and base.get(phase) and tool != "dockerlab" else ""
                cells.append(f"{value:.2f}{ratio}" if value is not None else "-")
            lines.append(f"| {n} | {tool} | " + " | ".join(cells) + " |")
    if "dockerlab" in tools:
        lines += ["", "Peak memory of dockerlab apply (max RSS): " + ", ".join(
            f"N={n}: {max(r['rss'] for r in results[n]['dockerlab']) / 1024:.0f} MiB" for n in sizes) + ".", ""]
    failed = {(n, t): [r["failed"] for r in results[n][t] if r.get("failed") and not r.get("gave_up")]
              for n in sizes for t in tools}  # a tool given up is said below
    lines += [f"- {t} at N={n} failed in {len(f)} of {rounds} rounds: {f[0]}" for (n, t), f in failed.items() if f]
    left = {(n, t): sum(r.get("left", 0) for r in results[n][t]) for n in sizes for t in tools}
    restarts = {(n, t): sum(bool(r.get("restarted")) for r in results[n][t]) for n in sizes for t in tools}
    lines += [f"- {t} at N={n} left a network the engine could not remove (lost endpoint count, moby/moby#42119) "
              f"in {k} of {rounds} rounds; the bench restarted the engine" for (n, t), k in restarts.items() if k]
    lines += [f"- {t} was not run at N={n} (`--ansible-up-to`: one round of it there takes about 15 minutes)"
              for n in sizes for t in tools if not results[n][t]]
    lines += [f"- {t} at N={n} was given up after its first round: {r['failed']}; not run again at that size"
              for n in sizes for t in tools for r in results[n][t][:1] if r.get("gave_up")]
    lines += [f"- {t} at N={n} left objects behind after its teardown in some rounds ({k} in all)"
              for (n, t), k in left.items() if k]
    lines += ["", "Targets (N=30 where named):", *targets(results, sizes, tools)]
    lines += ["", *where_time_goes(results, sizes, tools)]
    return "\n".join(lines) + "\n"


def where_time_goes(results: dict, sizes: list[int], tools: list[str]) -> list[str]:
    """A profile of apply from the medians: a fixed start (the no-op apply: interpreter, imports, lab
    file, three list calls) plus per-container engine work, set beside the parallel CLI's."""
    if "dockerlab" not in tools:
        return []
    out = ["Where dockerlab's apply time goes (fixed start = a no-op apply; the rest is engine work):", "",
           "| N | fixed start | engine work | per container | parallel CLI per container | engine alone |",
           "|---|---|---|---|---|---|"]
    for n in sizes:
        cold = median([r["cold apply"] for r in results[n]["dockerlab"]])
        fixed = median([r["no-op apply"] for r in results[n]["dockerlab"]])
        if cold is None or fixed is None:
            continue
        others = [median([r["cold apply"] for r in results[n].get(tool, [])]) for tool in ("cli-par", "engine")]
        cells = [f"{v / n:.3f} s" if v else "-" for v in others]
        out.append(f"| {n} | {fixed:.2f} s | {cold - fixed:.2f} s | {(cold - fixed) / n:.3f} s | "
                   + " | ".join(cells) + " |")
    return out


def targets(results: dict, sizes: list[int], tools: list[str]) -> list[str]:
    def med(n: int, tool: str, phase: str) -> float | None:
        return median([r[phase] for r in results.get(n, {}).get(tool, [])]) if tool in tools else None
    out = []
    n = 30 if 30 in sizes else sizes[0]
    checks = [
        ("cold apply <= 1.10 x parallel CLI", med(n, "dockerlab", "cold apply"), med(n, "cli-par", "cold apply"),
         1.10),
        ("cold apply < docker-compose", med(n, "dockerlab", "cold apply"), med(n, "compose", "cold apply"), 1.0),
        ("cold apply < Ansible", med(n, "dockerlab", "cold apply"), med(n, "ansible", "cold apply"), 1.0),
        ("no-op apply <= 0.3 x compose no-op", med(n, "dockerlab", "no-op apply"), med(n, "compose", "no-op apply"),
         0.3),
        ("destroy <= 1.2 x docker rm -f + network rm", med(n, "dockerlab", "destroy"), med(n, "cli-par", "destroy"),
         1.2),
    ]
    for label, ours, theirs, bound in checks:
        if ours is None or theirs is None:
            out.append(f"- {label}: not measured")
        else:
            verdict = "met" if ours <= theirs * bound else "NOT met"
            out.append(f"- {label}: {ours:.2f} s vs {theirs:.2f} s = {ours / theirs:.2f}x: {verdict}")
    if len(sizes) > 1 and "dockerlab" in tools:
        small, big = sizes[0], sizes[-1]
        for phase in PHASES:
            a, b = med(small, "dockerlab", phase), med(big, "dockerlab", phase)
            if a and b:
                out.append(f"- dockerlab {phase} N={small} -> N={big}: x{b / a:.1f} for x{big / small:.0f} containers"
                           f" ({'at most linear' if b / a <= big / small else 'WORSE than linear'})")
    return out + scale_targets(results, sizes, tools, med)


def scale_targets(results: dict, sizes: list[int], tools: list[str], med: Callable) -> list[str]:
    """Lab size 300: ahead of the parallel CLI at every N, linear cost, changes that cost what they change."""
    out = []
    for n in sizes:
        ours, cli, engine = (med(n, tool, "cold apply") for tool in ("dockerlab", "cli-par", "engine"))
        if ours and cli:
            above = f"; above the engine's own {engine:.2f} s: CLI {cli - engine:+.2f} s, dockerlab " \
                    f"{ours - engine:+.2f} s" if engine else ""
            out.append(f"- N={n}: cold apply {ours:.2f} s vs parallel CLI {cli:.2f} s = {ours / cli:.2f}x: "
                       f"{'met' if ours <= cli else 'NOT met'} (no slower){above}")
    if 300 in sizes and 30 in sizes:
        for phase, bound, per in (("cold apply", 1.2, True), ("destroy", 1.2, True), ("check", 1.2, True),
                                  ("no-op apply", 2.0, False), ("plan", 2.0, False)):
            a, b = med(30, "dockerlab", phase), med(300, "dockerlab", phase)
            if a and b:
                ratio = (b / 300) / (a / 30) if per else b / a
                what = "per container" if per else "in all"
                out.append(f"- {phase} {what}, N=300 against N=30: {ratio:.2f}x (at most {bound}x): "
                           f"{'met' if ratio <= bound else 'NOT met'}")
    if 300 in sizes and 10 in sizes:
        a, b = med(10, "dockerlab", "one-container change"), med(300, "dockerlab", "one-container change")
        if a and b:
            out.append(f"- one-container change, N=300 against N=10: {b / a:.2f}x (at most 1.5x): "
                       f"{'met' if b / a <= 1.5 else 'NOT met'}")
    if 300 in sizes and "dockerlab" in tools:
        rss = max(r["rss"] for r in results[300]["dockerlab"]) / 1024
        out.append(f"- peak memory at N=300: {rss:.0f} MiB (under 100): {'met' if rss < 100 else 'NOT met'}")
    return out


def plot(results: dict, sizes: list[int], tools: list[str], path: Path) -> None:
    """Time against N per tool, one panel per step, log axes (matplotlib, without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
    for ax, phase in zip(axes.flat, PHASES, strict=False):
        for tool in tools:
            points = [(n, median([r[phase] for r in results[n][tool]])) for n in sizes]
            points = [(n, v) for n, v in points if v]
            if points:
                ax.plot(*zip(*points, strict=True), marker="o", label=tool, color=f"C{tools.index(tool)}")
        ax.set(title=phase, xscale="log", yscale="log", xlabel="containers (N)", ylabel="seconds")
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[-1].axis("off")
    axes.flat[0].legend()
    fig.tight_layout()
    fig.savefig(path, dpi=90)


def main() -> None:
    global LIMIT
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,30,100")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--out", default=str(ROOT / "bench/RESULTS.md"))
    parser.add_argument("--limit", type=float, default=LIMIT, help="Seconds one command may take.")
    parser.add_argument("--ansible-up-to", type=int, default=100, metavar="N",
                        help="Largest N Ansible runs at (at N=300 one round of it takes about 15 minutes).")
    parser.add_argument("--report-only", action="store_true", help="Rewrite RESULTS.md from results.json.")
    args = parser.parse_args()
    if args.report_only:
        raw = json.loads(Path(args.out).with_suffix(".json").read_text())
        results = {int(n): v for n, v in raw["results"].items()}
        Path(args.out).write_text(report(results, raw["sizes"], raw["tools"], raw["rounds"], raw["started"]))
        plot(results, raw["sizes"], raw["tools"], Path(args.out).with_suffix(".png"))
        return
    LIMIT = args.limit
    sizes = [int(s) for s in args.sizes.split(",")]
    tools = args.tools.split(",")
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict = {n: {t: [] for t in tools} for n in sizes}
    gave_up: set[tuple[str, int]] = set()
    workdir = Path(tempfile.mkdtemp(prefix="dockerlab-bench-"))
    cleanup()
    try:
        for round_ in range(args.rounds):
            order = tools[round_ % len(tools):] + tools[:round_ % len(tools)]
            for n in sizes:
                for name in order:
                    if (name == "ansible" and n > args.ansible_up_to) or (name, n) in gave_up:
                        continue
                    tool = TOOLS[name](n, workdir / f"{name}-{n}")
                    row = measure(tool)
                    results[n][name].append(row)
                    if row.get("gave_up"):
                        gave_up.add((name, n))
                    print(f"round {round_ + 1} N={n} {name}: " + (", ".join(
                        f"{p} {row[p]:.2f}s" for p in PHASES if row[p] is not None) or "failed"), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        cleanup()
    raw = {"started": started, "sizes": sizes, "tools": tools, "rounds": args.rounds, "results": results,
           "ansible_up_to": args.ansible_up_to}
    Path(args.out).with_suffix(".json").write_text(json.dumps(raw, indent=1))
    text = report(results, sizes, tools, args.rounds, started)
    Path(args.out).write_text(text)
    plot(results, sizes, tools, Path(args.out).with_suffix(".png"))
    print(text)


if __name__ == "__main__":
    sys.exit(main())
