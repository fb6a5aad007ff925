"""Benchmark: dockerlab against Compose v2 (`up -d` and `up -d --wait`), the 8-way parallel docker CLI and the
engine's own time, on generated labs of N busybox containers over N/10 bridges, on the engine that answers; the
sequential CLI, docker-compose 1.29 and Ansible (community.docker) as history rows when --tools names them.

Each round runs every tool once per size, in an order that rotates between rounds, so that drift in the engine's
speed is shared out. Medians over rounds; ratios to dockerlab.
Usage: python bench/run.py [--sizes 10,30,100] [--rounds 3] [--tools dockerlab,compose,...]
Writes bench/RESULTS-ENGINE.json (the raw runs), then bench/RESULTS.md and RESULTS.png from every engine's.
`make bench` runs it on Docker 28 and on 20.10. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import lab as L
from lab import DOCKERLAB, LABEL, PHASES, ROOT, GaveUp, ToolFailed
from report import plot, report, versions
from tools import DEFAULT_TOOLS, TOOLS, Tool

BIG = 100  # labs larger than this run --big-rounds rounds


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
    return [n for n in names if re.fullmatch(r"bc\d+|bn\d+|bench\d+[_-]b[cn]\d+([_-]\d+)?", n)]


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10,30,100")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tools", default=",".join(DEFAULT_TOOLS), help=f"Of {', '.join(TOOLS)}.")
    parser.add_argument("--big-rounds", type=int, default=1, help=f"Rounds at N over {BIG} (minutes each).")
    parser.add_argument("--limit", type=float, default=L.LIMIT, help="Seconds one command may take.")
    parser.add_argument("--ansible-up-to", type=int, default=100, metavar="N",
                        help="Largest N Ansible runs at (at N=300 one round of it takes about 15 minutes).")
    parser.add_argument("--report-only", action="store_true", help="Rewrite RESULTS.md from the RESULTS-*.json.")
    args = parser.parse_args()
    if not args.report_only:
        L.LIMIT = args.limit
        raw = bench(args, [int(s) for s in args.sizes.split(",")], args.tools.split(","))
        major = raw["versions"]["engine"].split(".")[0]
        (ROOT / f"bench/RESULTS-{major}.json").write_text(json.dumps(raw, indent=1))
    runs = sorted((json.loads(p.read_text()) for p in (ROOT / "bench").glob("RESULTS-[0-9]*.json")),
                  key=lambda raw: raw["versions"]["engine"], reverse=True)
    text = report(runs)
    (ROOT / "bench/RESULTS.md").write_text(text)
    plot(runs, ROOT / "bench/RESULTS.png")
    print(text)


def bench(args: argparse.Namespace, sizes: list[int], tools: list[str]) -> dict:
    """Every tool at every size, each round in a rotated order, on the engine that answers."""
    started = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    results: dict = {n: {t: [] for t in tools} for n in sizes}
    gave_up: set[tuple[str, int]] = set()
    workdir = Path(tempfile.mkdtemp(prefix="dockerlab-bench-"))
    cleanup()
    try:
        for round_ in range(args.rounds):
            order = tools[round_ % len(tools):] + tools[:round_ % len(tools)]
            for n in [n for n in sizes if n <= BIG or round_ < args.big_rounds]:
                for name in order:
                    if (name == "ansible" and n > args.ansible_up_to) or (name, n) in gave_up:
                        continue
                    row = measure(TOOLS[name](n, workdir / f"{name}-{n}"))
                    results[n][name].append(row)
                    if row.get("gave_up"):
                        gave_up.add((name, n))
                    print(f"round {round_ + 1} N={n} {name}: " + (", ".join(
                        f"{p} {row[p]:.2f}s" for p in PHASES if row[p] is not None) or "failed"), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        cleanup()
    return {"started": started, "versions": versions(), "sizes": sizes, "tools": tools, "rounds": args.rounds,
            "results": results, "ansible_up_to": args.ansible_up_to, "big_rounds": args.big_rounds}


if __name__ == "__main__":
    sys.exit(main())
