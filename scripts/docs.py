"""The docs site's generated pages (mkdocs, material theme; `mkdocs build --strict`): one page per network type
following the study article, in English and Japanese (the lab, its diagram from `dockerlab graph`, its checks, a
real run of them, what to try), the lab-file reference from the schema, and the commands from their --help.

`python scripts/docs.py` writes them into docs/; tests/test_docs_site.py holds them to what this makes, and
tests/test_engine_docs_runs.py refreshes the real runs (the blocks between `<!-- run -->` and `<!-- /run -->`,
which writing keeps)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
sys.path.insert(0, str(ROOT))

from dockerlab.core.words import say_in  # noqa: E402
from dockerlab.labfile.load import load_lab  # noqa: E402
from dockerlab.learn import graph  # noqa: E402

if TYPE_CHECKING:
    from dockerlab.core.model import Lab

TYPES = ["default-bridge", "user-bridge", "host", "none", "macvlan", "ipvlan", "overlay"]
TITLES = {"en": {"default-bridge": "The default bridge", "user-bridge": "A user-defined bridge",
                 "host": "The host network", "none": "No network", "macvlan": "macvlan", "ipvlan": "ipvlan",
                 "overlay": "Overlay"},
          "ja": {"default-bridge": "デフォルトブリッジ", "user-bridge": "ユーザー定義ブリッジ",
                 "host": "host ネットワーク", "none": "none ネットワーク", "macvlan": "macvlan", "ipvlan": "ipvlan",
                 "overlay": "オーバーレイ"}}
WORDS = {"en": {"lab": "The lab", "diagram": "Diagram", "checks": "Checks", "run": "A real run",
                "try": "What to try", "vm": "This run is from a VM with Debian's stock kernel (`make test-kernel`): "
                "the machine CI runs on has no ipvlan module.", "hints": "If a check fails",
                "parents": "a veth pair stands for the parent LAN interface (or, in a clone: sudo make parents)",
                "swarm": "docker swarm init --advertise-addr 127.0.0.1  # an overlay network needs a swarm"},
         "ja": {"lab": "ラボ", "diagram": "図", "checks": "チェック", "run": "実際の実行結果",
                "try": "やってみよう", "vm": "この実行結果は Debian 標準カーネルの VM (`make test-kernel`) のものです。"
                "CI のマシンのカーネルには ipvlan モジュールがありません。", "hints": "チェックが失敗したら",
                "parents": "veth ペアが親 LAN インターフェースの代わり(クローンでは sudo make parents でも可)",
                "swarm": "docker swarm init --advertise-addr 127.0.0.1  # オーバーレイには swarm が必要"}}
IN_VM = {"ipvlan"}  # its run comes from the VM: this machine's kernel lacks the module
RUN = re.compile(r"<!-- run -->\n.*?<!-- /run -->", re.S)


def network_page(name: str, lang: str) -> str:
    lab = load_lab(str(ROOT / "labs" / f"{name}.yaml"))
    w = WORDS[lang]
    checks = "\n".join(f"| {c.label} | {c.source} | {c.target or ''} | {c.expect.value} |" for c in lab.checks)
    hints = "\n".join(f"- **{c.label}**: {say_in(c.hint, lang)}" for c in lab.checks if c.hint)
    first = parents(name, lab, w["parents"])
    first += [w["swarm"]] if any(n.driver == "overlay" for n in lab.networks) else []
    return "\n".join([
        f"# {TITLES[lang][name]}", "", say_in(lab.lesson, lang).replace("\n", "  \n"), "",
        f"## {w['lab']}", "", f"`labs/{name}.yaml` (`dockerlab labs copy {name}`):", "",
        "```yaml", (ROOT / "labs" / f"{name}.yaml").read_text().rstrip(), "```", "",
        f"## {w['diagram']}", "", "```mermaid", graph.mermaid(graph.diagram(lab)).rstrip(), "```", "",
        f"## {w['checks']}", "", "| check | from | to | expect |", "|---|---|---|---|", checks, "",
        f"## {w['run']}", "", *([w["vm"], ""] if name in IN_VM else []), "<!-- run -->", "<!-- /run -->", "",
        f"## {w['try']}", "", "```sh", *first, f"dockerlab apply labs/{name}.yaml\ndockerlab check labs/{name}.yaml\n"
        f"dockerlab view labs/{name}.yaml\ndockerlab destroy labs/{name}.yaml", "```", "",
        *([f"### {w['hints']}", "", hints, ""] if hints else [])])


def parents(name: str, lab: Lab, why: str) -> list[str]:
    """The commands that make the lab's parent interfaces: one end of a veth pair each, with the LAN address the
    lab expects there (x-parent-address)."""
    import yaml

    address = yaml.safe_load((ROOT / "labs" / f"{name}.yaml").read_text()).get("x-parent-address")
    out = []
    for parent in sorted({n.parent.partition(".")[0] for n in lab.networks if n.parent}):
        out += [f"sudo ip link add {parent} type veth peer name {parent}p  # {why}",
                f"sudo ip link set {parent} up && sudo ip link set {parent}p up"]
        out += [f"sudo ip addr add {address} dev {parent}"] if address else []
    return out


def reference() -> str:
    """The lab file's keys, each with what the schema says of it."""
    schema = json.loads((ROOT / "schemas" / "lab.schema.json").read_text())
    out = ["# Lab file reference", "", f"Generated from the JSON Schema (`{schema['$id']}`). {schema['description']}",
           ""]
    out += _keys("The lab file", schema)
    for name, part in schema.get("$defs", {}).items():
        if part.get("properties"):
            out += _keys(f"`{name}`", part)
    return "\n".join(out) + "\n"


def _keys(title: str, part: dict) -> list[str]:
    rows = [f"| `{key}` | {_kind(spec)} | {_text(spec.get('description', ''))} |"
            for key, spec in part["properties"].items()]
    return [f"## {title}", "", _text(part.get("description", "")), "", "| key | type | meaning |", "|---|---|---|",
            *rows, ""]


def _kind(spec: dict) -> str:
    if "$ref" in spec:
        return spec["$ref"].rsplit("/", 1)[1]
    if "enum" in spec:
        return " / ".join(f"`{v}`" for v in spec["enum"])
    kinds = spec.get("type") or [_kind(s) for s in spec.get("oneOf", spec.get("anyOf", []))]
    return " or ".join(kinds) if isinstance(kinds, list) else str(kinds)


def _text(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def commands() -> str:
    from click import Context

    from dockerlab.cli.main import cli

    out = ["# Commands", "", "Each command's own `--help`, as `dockerlab` prints it.", ""]
    for name, command in sorted(cli.commands.items()):
        ctx = Context(command, info_name=f"dockerlab {name}", terminal_width=100, max_content_width=100)
        out += [f"## {name}", "", "```text", command.get_help(ctx).rstrip(), "```", ""]
    return "\n".join(out)


SECTIONS = {"teaching.md": "## Labs that teach", "live.md": "## The live view", "internals.md": "## How it reconciles",
            "speed.md": "## Speed", "wire.md": "## On the wire: impairments and captures",
            "hosts.md": "## Labs across hosts"}
LINK = re.compile(r"(!?)\[([^\]]+)\]\((?!https?:|#)([^)]+)\)")


def from_readme(heading: str) -> str:
    """A section of the README as a page: its links into the repository as plain words (the site has only docs/),
    its pictures from docs/ kept."""
    text = (ROOT / "README.md").read_text()
    body = text.split(heading + "\n", 1)[1].split("\n## ", 1)[0]

    def link(m: re.Match[str]) -> str:
        image, words, target = m.groups()
        return f"{image}[{words}]({target.removeprefix('docs/')})" if target.startswith("docs/") else words
    return f"# {heading.removeprefix('## ')}\n" + LINK.sub(link, body).rstrip() + "\n"


def pages() -> dict[Path, str]:
    made = {DOCS / "reference.md": reference(), DOCS / "commands.md": commands()}
    made.update({DOCS / page: from_readme(heading) for page, heading in SECTIONS.items()})
    for lang, folder in (("en", DOCS / "networks"), ("ja", DOCS / "ja" / "networks")):
        made.update({folder / f"{name}.md": network_page(name, lang) for name in TYPES})
    return made


def with_runs(path: Path, text: str) -> str:
    """The page, its real run kept from the file as it is."""
    if path.exists() and (run := RUN.search(path.read_text())):
        return RUN.sub(lambda _: run.group(0), text)
    return text


if __name__ == "__main__":
    for path, text in pages().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(with_runs(path, text))
        print(f"wrote {path.relative_to(ROOT)}")
