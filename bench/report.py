"""The benchmark's report: medians and ratios per size, tool and step, each target met or not, where
dockerlab's time goes, and the plot."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
from pathlib import Path

from lab import PARALLEL, PHASES
from tools import ANSIBLE, compose_v2


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
            "compose": first_line([*compose_v2(), "version", "--short"]),
            "docker-compose 1": first_line(["docker-compose", "version", "--short"]),
            "ansible": first_line([ANSIBLE, "--version"]),
            "python": platform.python_version()}


def report(runs: list[dict]) -> str:
    """One section per engine the bench ran on (bench/RESULTS-ENGINE.json each)."""
    meminfo = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    lines = ["# dockerlab benchmark", "",
             f"On {platform.node() or 'this machine'}: {os.cpu_count()} cores, {int(meminfo) // 1024 // 1024} GiB, "
             f"kernel {platform.release()}. Labs: N busybox containers over N/10 bridges with subnets; dockerlab "
             f"and the parallel CLI run {PARALLEL} steps at once. Tools in rotating order each round; medians in "
             "seconds (ratio to dockerlab). Every command includes its interpreter's start (Python's bytecode "
             "cache on, as on a user's machine), except `engine`: the parallel CLI's requests sent from one "
             "process and timed inside it (bench/floor.py), the engine's own time. `compose` is Compose v2 "
             "(`up -d`; its plan is `--dry-run up -d`; destroy `down -t 0`), `compose-wait` the same with "
             "`up -d --wait`. The raw runs: RESULTS-ENGINE.json.", "",
             "![time against N, per tool and step, both engines](RESULTS.png)", ""]
    for raw in runs:
        lines += section(raw)
    return "\n".join(lines) + "\n"


def section(raw: dict) -> list[str]:
    results = {int(n): v for n, v in raw["results"].items()}
    sizes, tools, rounds = raw["sizes"], raw["tools"], raw["rounds"]
    lines = [f"## Docker {raw['versions']['engine']}", "",
             f"Run {raw['started']}, {rounds} rounds (at N over 100: {raw.get('big_rounds', rounds)}). Versions: "
             + ", ".join(f"{k} {v}" for k, v in raw["versions"].items() if v != "not installed") + ".", "",
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
    lines += notes(results, sizes, tools, rounds)
    lines += ["", "Targets:", *targets(results, sizes, tools)]
    return lines + ["", *where_time_goes(results, sizes, tools), ""]


def notes(results: dict, sizes: list[int], tools: list[str], rounds: int) -> list[str]:
    """Failures, give-ups, leftovers and engine restarts, said."""
    failed = {(n, t): [r["failed"] for r in results[n][t] if r.get("failed") and not r.get("gave_up")]
              for n in sizes for t in tools}  # a tool given up is said below
    lines = [f"- {t} at N={n} failed in {len(f)} of {rounds} rounds: {f[0]}" for (n, t), f in failed.items() if f]
    left = {(n, t): sum(r.get("left", 0) for r in results[n][t]) for n in sizes for t in tools}
    restarts = {(n, t): sum(bool(r.get("restarted")) for r in results[n][t]) for n in sizes for t in tools}
    lines += [f"- {t} at N={n} left a network the engine could not remove (lost endpoint count, moby/moby#42119) "
              f"in {k} of {rounds} rounds; the bench restarted the engine" for (n, t), k in restarts.items() if k]
    lines += [f"- {t} was not run at N={n} (`--ansible-up-to`: one round of it there takes about 15 minutes)"
              for n in sizes for t in tools if not results[n][t]]
    lines += [f"- {t} at N={n} was given up after its first round: {r['failed']}; not run again at that size"
              for n in sizes for t in tools for r in results[n][t][:1] if r.get("gave_up")]
    return lines + [f"- {t} at N={n} left objects behind after its teardown in some rounds ({k} in all)"
                    for (n, t), k in left.items() if k]


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
    """Issue 24's targets at every N: against Compose v2, and within 0.3 s of the engine's own time."""
    def med(n: int, tool: str, phase: str) -> float | None:
        return median([r[phase] for r in results.get(n, {}).get(tool, [])]) if tool in tools else None
    bounds = [  # label, our step, their tool and step, the bound on ours / theirs, strictly below?
        ("cold apply faster than `compose up -d --wait`", "cold apply", "compose-wait", "cold apply", 1.0, True),
        ("cold apply within 1.1x of `compose up -d`", "cold apply", "compose", "cold apply", 1.1, False),
        ("no-op apply no slower than Compose's no-op `up -d`", "no-op apply", "compose", "no-op apply", 1.0, False),
        ("plan no slower than Compose's no-op `up -d`", "plan", "compose", "no-op apply", 1.0, False),
        ("one-container change no slower than Compose's", "one-container change", "compose",
         "one-container change", 1.0, False),
        ("destroy faster than `compose down -t 0`", "destroy", "compose", "destroy", 1.0, True),
    ]
    like_for_like = [  # apply --settle 0 returns once all are started, as `up -d` does: not a target, the reason
        ("cold apply with `--settle 0` within 1.1x of `compose up -d`", "cold apply", "compose", "cold apply", 1.1,
         False),
        ("one-container change with `--settle 0` no slower than Compose's", "one-container change", "compose",
         "one-container change", 1.0, False),
    ]
    out = []
    for n in sizes:
        for us, (label, ours_phase, tool, phase, bound, strictly) in [("dockerlab", b) for b in bounds] + [
                ("dockerlab-nowait", b) for b in like_for_like]:
            ours, theirs = med(n, us, ours_phase), med(n, tool, phase)
            if ours is None or theirs is None:
                out.append(f"- N={n}: {label}: not measured")
                continue
            met = ours < theirs * bound if strictly else ours <= theirs * bound
            out.append(f"- N={n}: {label}: {ours:.2f} s vs {theirs:.2f} s = {ours / theirs:.2f}x: "
                       f"{'met' if met else 'NOT met'}")
        for phase in ("cold apply", "destroy"):
            ours, engine = med(n, "dockerlab", phase), med(n, "engine", phase)
            if ours is not None and engine is not None:
                out.append(f"- N={n}: {phase} at most 0.3 s above the engine's own {engine:.2f} s: "
                           f"{ours - engine:+.2f} s: {'met' if ours - engine <= 0.3 else 'NOT met'}")
    return out


def plot(runs: list[dict], path: Path) -> None:
    """Time against N per tool (a colour) and engine (a line style), one panel per step, log axes (matplotlib,
    without a display)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 4, figsize=(16, 7), sharex=True)
    tools = list(dict.fromkeys(t for raw in runs for t in raw["tools"]))
    for ax, phase in zip(axes.flat, PHASES, strict=False):
        for style, raw in zip(("-", "--", ":"), runs, strict=False):
            engine = raw["versions"]["engine"].split()[0]
            for tool in raw["tools"]:
                points = [(n, median([r[phase] for r in raw["results"][str(n)][tool]])) for n in raw["sizes"]]
                points = [(n, v) for n, v in points if v]
                if points:
                    ax.plot(*zip(*points, strict=True), marker="o", linestyle=style, label=f"{tool} ({engine})",
                            color=f"C{tools.index(tool)}")
        ax.set(title=phase, xscale="log", yscale="log", xlabel="containers (N)", ylabel="seconds")
        ax.grid(True, which="both", alpha=0.3)
    axes.flat[-1].axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
