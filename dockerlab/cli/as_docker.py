"""The plan as docker commands (`dockerlab plan FILE --as docker`): the same objects, labels included, made by
hand, in an order that works. Pure. What the engine makes of each is the engine adapter's; a test runs these
commands and then asks dockerlab for a plan, which must be empty: the two stay one mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

from dockerlab.core import hostaccess
from dockerlab.core import labels as L
from dockerlab.core.endpoint import Attachment
from dockerlab.core.model import PREDEFINED_NETWORKS, SHARED, STANDALONE_NETWORKS, ContainerSpec, Lab, NetworkSpec, Port
from dockerlab.core.placement import manager, slice_for
from dockerlab.errors import DockerlabError
from dockerlab.plan.steps import Action, Kind, Plan, Step
from dockerlab.printable import shell_comment, shell_word

Lines = Iterator[list[str]]


def _endpoint_settings(att: Attachment) -> list[tuple[str, str]]:
    """What Docker's CLI calls them: driver-opt (interface name, sysctls), gw-priority, link-local-ip."""
    out = [("driver-opt", f"{k}={v}") for k, v in att.driver_opts().items()]
    out += [("gw-priority", str(att.gw_priority))] if att.gw_priority else []
    return out + [("link-local-ip", str(a)) for a in att.link_local]


def _first_settings(att: Attachment) -> list[tuple[str, str]]:
    """What `docker create` has no flag for (its --link-local-ip is one)."""
    return [(k, v) for k, v in _endpoint_settings(att) if k != "link-local-ip"]


def _csv_field(text: str) -> str:
    """The CLI reads --network's long form and --driver-opt as CSV: a comma inside a value needs quotes."""
    if "," not in text and '"' not in text:
        return text
    return '"' + text.replace('"', '""') + '"'


class Raw(str):
    """A word the shell must expand (a join token read from the manager), so not quoted."""


def plan_commands(lab: Lab, plan: Plan, where: dict[str, str], labels: bool = True) -> str:
    """where: each host's key and address (a lab on one engine: "" and DOCKER_HOST's, which plain `docker`
    commands use too). labels False: without dockerlab's own labels, to read and learn from."""
    if not plan.changes:
        return shell_comment(f"lab {lab.name}: no changes; nothing to run")
    out = [shell_comment(f"lab {lab.name}: {len(plan.steps)} steps as docker commands, in an order that works"),
           *([] if labels else [shell_comment("without dockerlab's labels: what they make is not the lab's to "
                                              "dockerlab, which will neither see nor remove it")]), "set -e"]
    writer = Writer(lab, where)
    for step in plan.steps:
        out.append(shell_comment(f"{step.action.symbol} {step.kind} {step.name}"
                                 + (f" on {step.network}" if step.network else "") + step.where
                                 + (f"  [{'; '.join(step.causes)}]" if step.causes else "")))
        out += [_shell_line(argv if labels else _unlabelled(argv)) for argv in writer.lines(step)]
    return "\n".join(out)


def _unlabelled(argv: list[str]) -> list[str]:
    """A command without its --label pairs of dockerlab's (the file's own labels stay)."""
    out: list[str] = []
    for word in argv:
        if out and out[-1] == "--label" and word.startswith(L.RESERVED_PREFIX):
            out.pop()
        else:
            out.append(word)
    return out


def _shell_line(argv: list[str], width: int = 100) -> str:
    """Quoted words; a long command goes on over lines, broken before an option, as people write it."""
    lines = [""]
    for word in (w if isinstance(w, Raw) else shell_word(w) for w in argv):
        if lines[-1] and len(lines[-1]) + len(word) > width and word.startswith("-"):
            lines.append("   ")
        lines[-1] += (" " if lines[-1] else "") + word
    return " \\\n".join(lines)


def _words(argv: list[str]) -> str:
    return " ".join(shell_word(w) for w in argv)


class Writer:
    def __init__(self, lab: Lab, where: dict[str, str]) -> None:
        self.lab, self.where = lab, where
        self.gone: set[tuple[str, str]] = set()  # (host, network) removed so far: a config-only network's recreate
        # takes its users down before their own steps
        self.handlers: dict[tuple[Kind, Action], Callable[[Step, Lab], Lines]] = {
            (Kind.IMAGE, Action.PULL): lambda s, lab: self.docker(s, "pull", s.name),
            (Kind.NETWORK, Action.CREATE): self._network_create,
            (Kind.NETWORK, Action.REMOVE): lambda s, lab: self._network_remove(s, s.docker_id or s.name),
            (Kind.NETWORK, Action.RECREATE): self._network_recreate,
            (Kind.CONTAINER, Action.CREATE): self._container_create,
            (Kind.CONTAINER, Action.REMOVE): lambda s, lab: self.docker(s, "rm", "-f", "-v", s.docker_id or s.name),
            (Kind.CONTAINER, Action.RECREATE): self._container_recreate,
            (Kind.CONTAINER, Action.START): lambda s, lab: self.docker(s, "start", s.name),
            (Kind.CONTAINER, Action.CONNECT): self._connect,
            (Kind.CONTAINER, Action.DISCONNECT): self._disconnect,
            (Kind.CONTAINER, Action.RECONNECT): self._reconnect,
            (Kind.HOST_LINK, Action.CREATE): self._link_create,
            (Kind.HOST_LINK, Action.REMOVE): lambda s, lab: iter([["ip", "link", "del", s.name]]),
            (Kind.HOST_LINK, Action.RECREATE): self._link_recreate,
            (Kind.SWARM, Action.CREATE): self._swarm_init,
            (Kind.SWARM, Action.CONNECT): self._swarm_join,
            (Kind.SWARM, Action.REMOVE): lambda s, lab: self.docker(s, "swarm", "leave", "--force"),
            **{(Kind.IMPAIRMENT, a): self._impair for a in (Action.CREATE, Action.UPDATE, Action.REMOVE)},
        }

    def lines(self, step: Step) -> Lines:
        return self.handlers[step.kind, step.action](step, slice_for(self.lab, step.host))

    def docker(self, step: Step | str, *args: str) -> Lines:
        host = step if isinstance(step, str) else step.host
        yield ["docker", *(["-H", self.where[host]] if host else []), *args]

    # -- impairments: tc in the container's network namespace, on its interface with the endpoint's MAC

    def _impair(self, step: Step, lab: Lab) -> Lines:
        mac = f'{{{{(index .NetworkSettings.Networks "{step.network}").MacAddress}}}}'
        for var, template in (("pid", "{{.State.Pid}}"), ("mac", mac)):
            yield [Raw(f"{var}=$({_words(next(self.docker(step, 'inspect', '-f', template, step.name)))})")]
        inside = ["nsenter", Raw("--net=/proc/$pid/ns/net")]
        yield [Raw(f"dev=$({' '.join(inside)} ip -br link | "
                   """awk -v m="$mac" '$3 == m {sub(/@.*/, "", $1); print $1}')""")]
        yield [*inside, "tc", "qdisc", "del", "dev", Raw('"$dev"'), "root", Raw("2>/dev/null || true")]
        att = lab.membership(step.key, step.network)
        if step.action is not Action.REMOVE and att and att.link:
            yield [*inside, "tc", "qdisc", "add", "dev", Raw('"$dev"'), "root", *att.link.tc_args()]

    # -- networks

    def _network_create(self, step: Step, lab: Lab) -> Lines:
        spec = lab.network(step.key or "")
        assert spec is not None
        yield from self.docker(step, "network", "create", *network_options(lab, spec), spec.name)

    def _network_remove(self, step: Step, network: str) -> Lines:
        if (step.host, step.name) not in self.gone:
            yield from self.docker(step, "network", "rm", network)
            self.gone.add((step.host, step.name))

    def _network_recreate(self, step: Step, lab: Lab) -> Lines:
        """A config-only network's users go first (Docker keeps it while they are); their own steps make them."""
        for container, user in step.members:
            yield from self.docker(step, "network", "disconnect", "-f", user, container)
        for user in step.networks:
            yield from self._network_remove(replace(step, name=user), user)
        for container in step.attached:
            yield from self.docker(step, "network", "disconnect", "-f", step.name, container)
        yield from self._network_remove(step, step.docker_id or step.name)
        self.gone.discard((step.host, step.name))
        yield from self._network_create(step, lab)

    # -- containers

    def _container_create(self, step: Step, lab: Lab) -> Lines:
        spec = lab.container(step.key or "")
        assert spec is not None
        first, *rest = lab.creation_order(spec) or (None,)
        yield from self.docker(step, "create", *self.create_options(lab, spec, first), spec.image,
                               *(spec.command or ()))
        if first and _first_settings(first) and self._long_form(lab, first) is None:
            # names with capitals: the long form would lower them; `connect`'s flags keep them
            if first.mac:
                raise DockerlabError(f"container {spec.key}: a MAC beside an interface name or option with capitals "
                                     "on its first network cannot be written as docker commands (`docker network "
                                     "connect` takes no MAC); `dockerlab apply` makes it")
            yield from self.docker(step, "network", "disconnect", lab.docker_network_name(first.network), spec.name)
            rest = [first, *rest]
        for att in rest:
            yield from self.docker(step, "network", "connect", *self.endpoint_options(att, spec.key),
                                   lab.docker_network_name(att.network), spec.name)
        yield from self.docker(step, "start", spec.name)

    def _container_recreate(self, step: Step, lab: Lab) -> Lines:
        yield from self.docker(step, "rm", "-f", "-v", step.docker_id or step.name)
        yield from self._container_create(step, lab)

    def _connect(self, step: Step, lab: Lab) -> Lines:
        att = lab.membership(step.key, step.network)
        assert att is not None and step.network and step.key
        yield from self.docker(step, "network", "connect", *self.endpoint_options(att, step.key), step.network,
                               step.name)

    def _disconnect(self, step: Step, lab: Lab) -> Lines:
        yield from self.docker(step, "network", "disconnect", "-f", step.network or "", step.name)

    def _reconnect(self, step: Step, lab: Lab) -> Lines:
        yield from self._disconnect(step, lab)
        yield from self._connect(step, lab)

    def create_options(self, lab: Lab, spec: ContainerSpec, first: Attachment | None) -> list[str]:
        """first: the network it is created on; None when it shares another container's network stack."""
        network = lab.docker_network_name(first.network) if first else f"{SHARED}{lab.shared_stack(spec)}"
        args = ["--name", spec.name, "--network", (self._long_form(lab, first) if first else None) or network]
        if first and network not in STANDALONE_NETWORKS:
            args += self.endpoint_options(first, spec.key, primary=True)
            args += [word for a in first.link_local for word in ("--link-local-ip", str(a))]
        for port in spec.ports:
            args += ["-p", publish(port)]
        args += [word for port in spec.expose for word in ("--expose", f"{port.container_port}/{port.protocol}")]
        args += ["-P"] if spec.publish_all else []
        for key, value in spec.env:
            args += ["-e", f"{key}={value}"]
        args += ["--hostname", spec.hostname] if spec.hostname else []
        args += ["--domainname", spec.domainname] if spec.domainname else []
        args += [word for flag, values in (("--dns", spec.dns), ("--dns-search", spec.dns_search),
                                          ("--dns-option", spec.dns_options)) for value in values
                 for word in (flag, str(value))]
        args += [word for name, address in spec.extra_hosts for word in ("--add-host", f"{name}:{address}")]
        args += [word for key, value in spec.sysctls for word in ("--sysctl", f"{key}={value}")]
        for cap in spec.cap_add:
            args += ["--cap-add", cap]
        return args + _labels(L.container_labels(lab, spec))

    def _long_form(self, lab: Lab, first: Attachment) -> str | None:
        """--network name=NET,driver-opt=...,gw-priority=N: the first network's settings that no flag of `docker
        create` carries, where the CLI's lowering of the long form changes nothing (it lowers every letter;
        the engine takes ifname for IFNAME)."""
        fields = [f"name={lab.docker_network_name(first.network)}", *(f"{k}={v}" for k, v in _first_settings(first))]
        if len(fields) == 1 or any(f.replace("IFNAME", "ifname") != f.lower() for f in fields):
            return None
        return ",".join(_csv_field(f) for f in fields)

    def endpoint_options(self, att: Attachment, dns_name: str, primary: bool = False) -> list[str]:
        """As the engine adapter sets an endpoint: addresses, the aliases and the container's lab key (Docker's
        own networks take no aliases)."""
        args = [word for flag, value in (("--ip", att.ipv4), ("--ip6", att.ipv6)) if value
                for word in (flag, str(value))]
        if primary and att.mac:  # the CLI gives the first network the MAC (the container's, before API 1.44)
            args += ["--mac-address", att.mac]
        for alias in dict.fromkeys([*att.aliases, dns_name]) if att.network not in PREDEFINED_NETWORKS else ():
            args += ["--network-alias" if primary else "--alias", alias]
        if not primary:  # the first network's: see _container_create
            args += [word for key, value in _endpoint_settings(att) for word in (f"--{key}", _csv_field(value))]
        return args

    # -- the host's own interfaces, and the swarm

    def _link_create(self, step: Step, lab: Lab) -> Lines:
        spec = lab.network(step.key or "")
        want = hostaccess.wanted(lab, spec) if spec else None
        assert want is not None
        for args in hostaccess.making(want):
            yield ["ip", *args]

    def _link_recreate(self, step: Step, lab: Lab) -> Lines:
        yield ["ip", "link", "del", step.name]
        yield from self._link_create(step, lab)

    def _swarm_init(self, step: Step, lab: Lab) -> Lines:
        address = lab.address_of(step.host)
        yield from self.docker(step, "swarm", "init", *(["--advertise-addr", address, "--listen-addr",
                                                         f"{address}:2377"] if address else []))

    def _swarm_join(self, step: Step, lab: Lab) -> Lines:
        boss = manager(lab)
        token = _words(next(self.docker(boss, "swarm", "join-token", "-q", "worker")))
        mine = lab.address_of(step.host) or ""
        yield from self.docker(step, "swarm", "join", "--token", Raw(f'"$({token})"'), "--advertise-addr", mine,
                               "--listen-addr", f"{mine}:2377", f"{lab.address_of(boss)}:2377")


def network_options(lab: Lab, spec: NetworkSpec) -> list[str]:
    if spec.config_from:  # Docker refuses settings and labels of its own: it takes the config network's
        return ["--driver", spec.driver, "--config-from", spec.config_from,
                *[flag for flag, on in (("--scope=swarm", spec.scope == "swarm"), ("--internal", spec.internal),
                                        ("--attachable", spec.attachable)) if on]]
    args = ["--driver", spec.driver, *(["--config-only"] if spec.config_only else []),
            *(["--scope=swarm"] if spec.scope == "swarm" else [])]
    for pool in spec.pools:
        args += ["--subnet", str(pool.subnet)]
        args += ["--gateway", str(pool.gateway)] if pool.gateway else []
        args += ["--ip-range", str(pool.ip_range)] if pool.ip_range else []
        for name, address in pool.aux_addresses:
            args += ["--aux-address", f"{name}={address}"]
    args += [flag for flag, on in (("--ipv4=false", not spec.ipv4), ("--ipv6", spec.ipv6),
                                   ("--internal", spec.internal), ("--attachable", spec.attachable)) if on]
    args += ["--ipam-driver", spec.ipam_driver] if spec.ipam_driver != "default" else []
    args += [word for key, value in spec.ipam_options for word in ("--ipam-opt", f"{key}={value}")]
    for key, value in sorted(spec.driver_options().items()):
        args += ["-o", f"{key}={value}"]
    return args + _labels(L.network_labels(lab, spec))


def publish(port: Port) -> str:
    host = f"{port.host_port}" if port.host_port else ""
    return (f"{port.host_ip}:{host}:" if port.host_ip else (f"{host}:" if host else "")) + (
        f"{port.container_port}/{port.protocol}")


def _labels(labels: dict[str, str]) -> list[str]:
    return [word for key, value in labels.items() for word in ("--label", f"{key}={value}")]
