"""The tools the benchmark sets side by side, each as the same steps on the same lab: dockerlab, Compose v2
(`up -d`, and `up -d --wait`: the fair twin of an apply that sees every container it started still run), the
docker CLI (one command after another, and 8 at once), the engine's own time (floor.py); docker-compose 1.29 and
Ansible as history rows when asked for."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import lab as L
from lab import CHANGED, DOCKERLAB, IMAGE, LABEL, PARALLEL, ROOT, GaveUp, Timing, ToolFailed, names, peers, run, sh

ANSIBLE = os.environ.get("BENCH_ANSIBLE", str(ROOT / "bench/.venv/bin/ansible-playbook"))
# Compose v2 as the docker CLI's plugin, else the one `make bench` unpacked with Docker 28 (fetch-engine.sh)
COMPOSE_UNPACKED = Path("/opt/dockerlab/engine-28/root/usr/libexec/docker/cli-plugins/docker-compose")


def compose_v2() -> list[str]:
    """The command that runs Compose v2 here (BENCH_COMPOSE names another binary)."""
    if named := os.environ.get("BENCH_COMPOSE"):
        return [named]
    if subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        return ["docker", "compose"]
    return [str(COMPOSE_UNPACKED)]

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


class DockerlabNoWait(Dockerlab):
    """`apply --settle 0`: it returns once every container is started, not 0.3 s later, as `compose up -d`
    does: the like-for-like twin of Compose's row. Only the steps that start containers differ."""
    name = "dockerlab-nowait"

    def up(self) -> Timing: return run([*DOCKERLAB, "apply", str(self.file), "--settle", "0"])
    def noop(self) -> Timing | None: return None
    def plan(self) -> Timing | None: return None
    def check(self) -> Timing | None: return None

    def change_one(self) -> Timing:
        self.write(command="'3600'")
        return run([*DOCKERLAB, "apply", str(self.file), "--settle", "0"])

    def add_network(self) -> Timing | None: return None


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
            proc = subprocess.run(argv, capture_output=True, text=True, timeout=L.LIMIT)
        except subprocess.TimeoutExpired:
            raise GaveUp(f"floor.py {which} did not finish within {L.LIMIT:.0f} s") from None
        if proc.returncode != 0:
            raise ToolFailed(f"floor.py {which} failed: {proc.stderr.strip().splitlines()[-1:]}")
        return float(proc.stdout), 0

    def up(self) -> Timing: return self.step("up")
    def down(self) -> Timing: return self.step("down")


class ComposeV2(Tool):
    """Compose v2, as people run it: `up -d`, the same again, `--dry-run up -d` as its plan, `down -t 0`."""
    name = "compose"
    up_args: tuple[str, ...] = ("up", "-d")
    header: dict[str, str] = {}  # top-level keys before networks and services

    def __init__(self, n: int, workdir: Path) -> None:
        super().__init__(n, workdir)
        self.file = self.dir / "compose.yaml"
        self.write()
        self.base = [*self.program(), "-f", str(self.file), "-p", f"bench{n}"]

    def program(self) -> list[str]:
        return compose_v2()

    def write(self, command: str = "infinity", extra_network: bool = False) -> None:
        networks = {net: {"ipam": {"config": [{"subnet": f"10.250.{j}.0/24"}]}} for j, net in enumerate(self.nets)}
        if extra_network:
            networks["bnx"] = {"ipam": {"config": [{"subnet": "10.251.0.0/24"}]}}
        # stopped at once, as dockerlab removes a container it makes anew: else each change waits 10 s
        services = {box: {"image": IMAGE, "command": ["sleep", command if i == 0 else "infinity"],
                          "networks": [net, "bnx"] if extra_network and 1 <= i <= CHANGED else [net],
                          "stop_grace_period": "0s"}
                    for i, (box, net) in enumerate(self.boxes)}
        self.file.write_text(json.dumps({**self.header, "networks": networks, "services": services}, indent=1))

    def up(self) -> Timing: return run([*self.base, *self.up_args])
    def noop(self) -> Timing: return run([*self.base, *self.up_args])
    def plan(self) -> Timing | None: return run([*self.base, "--dry-run", *self.up_args])

    def change_one(self) -> Timing:
        self.write(command="3600")
        return run([*self.base, *self.up_args])

    def add_network(self) -> Timing:
        self.write(command="3600", extra_network=True)
        return run([*self.base, *self.up_args])

    def down(self) -> Timing: return run([*self.base, "down", "-t", "0"])


class ComposeWait(ComposeV2):
    """`up -d --wait`: it returns once every service runs, as dockerlab's apply sees every container it started
    still run."""
    name = "compose-wait"
    up_args = ("up", "-d", "--wait")


class ComposeV1(ComposeV2):
    """docker-compose 1.29 (Python, end of life): a history row, no longer a target."""
    name = "compose-v1"
    header = {"version": "2.4"}

    def program(self) -> list[str]:
        return ["docker-compose"]

    def plan(self) -> Timing | None: return None


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


TOOLS = {t.name: t for t in (Dockerlab, DockerlabNoWait, ComposeV2, ComposeWait, CliParallel, EngineFloor,
                             CliSequential, ComposeV1, Ansible)}
# the rest: history, when asked
DEFAULT_TOOLS = ("dockerlab", "dockerlab-nowait", "compose", "compose-wait", "cli-par", "engine")
