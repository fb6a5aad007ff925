"""Benchmark across two hosts: a lab of 60 containers, 30 on each engine of the rig (`make hosts N=2`), on
three overlay networks that span both, against the same done with the docker CLI on both engines in parallel
(8 at a time on each): swarm init and join, overlays, containers; and back: containers, then the swarm
(its overlays end with it).

Each round runs both tools, in an order that rotates; medians over rounds. Writes bench/RESULTS-hosts.md.
Usage: python bench/hosts.py [--rounds 3] [--size 60]
"""

from __future__ import annotations

import argparse
import datetime
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import DOCKERLAB, IMAGE, LABEL, PARALLEL, Timing, sh  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HOSTS = {"h1": ("unix:///var/run/docker.sock", "10.233.0.1"), "h2": ("unix:///run/dockerlab-h2.sock", "10.233.0.2")}
NETS = 3
PHASES = ("cold apply", "no-op apply", "destroy")


def boxes(n: int) -> list[tuple[str, str, str]]:
    """(container, host, network): alternating hosts, networks in turn."""
    return [(f"hc{i}", "h1" if i % 2 == 0 else "h2", f"hn{i % NETS}") for i in range(n)]


def lab_file(n: int, where: Path) -> Path:
    lines = ["name: benchhosts", 'prefix: ""', "hosts:"]
    lines += [f"  {k}: {{docker_host: '{sock}', address: {addr}}}" for k, (sock, addr) in HOSTS.items()]
    lines += ["swarm: {manager: h1, form: true}", "networks:"]
    lines += [f"  hn{j}: {{driver: overlay, attachable: true, subnet: 10.252.{j}.0/24}}" for j in range(NETS)]
    lines.append("containers:")
    lines += [f"  {b}: {{image: {IMAGE}, command: [sleep, infinity], host: {h}, networks: [{net}]}}"
              for b, h, net in boxes(n)]
    path = where / "hosts.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def cli_up(n: int) -> Timing:
    (s1, a1), (s2, a2) = HOSTS["h1"], HOSTS["h2"]
    nets = " && ".join(f"docker -H {s1} network create -d overlay --attachable --subnet 10.252.{j}.0/24 "
                       f"--label {LABEL} hn{j} >/dev/null" for j in range(NETS))
    runs = []
    for key, (sock, _) in HOSTS.items():
        lines = "\\n".join(f"{b} {net}" for b, h, net in boxes(n) if h == key)
        runs.append(f"printf '{lines}\\n' | xargs -P {PARALLEL} -L 1 sh -c 'docker -H {sock} run -d --name $0 "
                    f"--network $1 --label {LABEL} {IMAGE} sleep infinity >/dev/null'")
    return sh(f"docker -H {s1} swarm init --advertise-addr {a1} --listen-addr {a1}:2377 >/dev/null; "
              f"docker -H {s2} swarm join --token $(docker -H {s1} swarm join-token -q worker) "
              f"--advertise-addr {a2} --listen-addr {a2}:2377 {a1}:2377 >/dev/null; {nets}; {both(*runs)}")


def both(first: str, second: str) -> str:
    """Two command lines at once; fails if either does."""
    return f"( {first} ) & one=$!; ( {second} ) & two=$!; wait $one; wait $two"


def running(n: int) -> None:
    """Every container of the lab runs where it should: a run that made less is no measurement."""
    for key, (sock, _) in HOSTS.items():
        want = {b for b, h, _ in boxes(n) if h == key}
        have = set(subprocess.run(["docker", "-H", sock, "ps", "--format", "{{.Names}}"], capture_output=True,
                                  text=True, check=True).stdout.split())
        if not want <= have:
            raise SystemExit(f"{key} runs {len(want & have)} of its {len(want)} containers")


def cli_down() -> Timing:
    (s1, _), (s2, _) = HOSTS["h1"], HOSTS["h2"]
    rm = [f"docker -H {s} ps -aq --filter label={LABEL} | xargs -r -P {PARALLEL} -n 4 docker -H {s} rm -f "
          ">/dev/null" for s in (s1, s2)]
    # the overlays end with the swarm (as dockerlab's destroy does): removed before, they are "in use by task"
    # for a while after the containers on the other host went
    return sh(f"{both(*rm)}; docker -H {s2} swarm leave --force >/dev/null; "
              f"docker -H {s1} swarm leave --force >/dev/null")


def one_round(n: int, first: str, where: Path) -> dict[str, dict[str, Timing]]:
    path = str(lab_file(n, where))
    def ours() -> dict[str, Timing]:
        up = sh(f"{DOCKERLAB[0]} apply {path} >/dev/null")
        running(n)
        return {"cold apply": up, "no-op apply": sh(f"{DOCKERLAB[0]} apply {path} >/dev/null"),
                "destroy": sh(f"{DOCKERLAB[0]} destroy {path} >/dev/null")}

    def theirs() -> dict[str, Timing]:
        up = cli_up(n)
        running(n)
        return {"cold apply": up, "destroy": cli_down()}

    tools = {"dockerlab": ours, "cli-par": theirs}
    return {name: tools[name]() for name in sorted(tools, key=lambda t: t != first)}


def report(n: int, rounds: list[dict[str, dict[str, Timing]]]) -> str:
    lines = [f"# dockerlab across two hosts: {n} containers, {NETS} overlay networks",
             "", f"{datetime.date.today()}; {len(rounds)} rounds, medians; engines of the rig (`make hosts N=2`), "
             "one machine, 2 cores. cli-par: the docker CLI on both engines at once, 8 runs at a time on each.",
             "", "| step | dockerlab (s) | cli-par (s) | ratio |", "|---|---|---|---|"]
    for phase in PHASES:
        ours = statistics.median(r["dockerlab"][phase][0] for r in rounds)
        theirs = [r["cli-par"][phase][0] for r in rounds if phase in r["cli-par"]]
        other = statistics.median(theirs) if theirs else None
        lines.append(f"| {phase} | {ours:.2f} | {f'{other:.2f}' if other else '-'} | "
                     f"{f'{ours / other:.2f}x' if other else '-'} |")
    rss = max(r["dockerlab"][p][1] for r in rounds for p in PHASES) / 1024
    lines += ["", f"dockerlab peak memory: {rss:.0f} MiB", "", "Raw runs (seconds):", ""]
    for i, r in enumerate(rounds, 1):
        lines.append(f"- round {i}: " + "; ".join(f"{t} {p} {v[0]:.2f}" for t, phases in r.items()
                                                   for p, v in phases.items()))
    return "\n".join(lines) + "\n"


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("--rounds", type=int, default=3)
    args.add_argument("--size", type=int, default=60)
    opts = args.parse_args()
    rounds = []
    work = ROOT / "bench" / ".work-hosts"  # one place, so that a run cut short is cleaned by the next
    work.mkdir(parents=True, exist_ok=True)
    if (work / "hosts.yaml").exists():
        sh(f"{DOCKERLAB[0]} destroy {work / 'hosts.yaml'} >/dev/null")
    for i in range(opts.rounds):
        rounds.append(one_round(opts.size, "dockerlab" if i % 2 == 0 else "cli-par", work))
        print(f"round {i + 1}: {rounds[-1]}", flush=True)
    text = report(opts.size, rounds)
    (ROOT / "bench" / "RESULTS-hosts.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
