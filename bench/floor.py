"""The engine's own time for a bench lab: what the parallel CLI asks of it (networks one by one, then
`docker run -d` 8 at a time), sent from one process through the Engine API and timed from inside, so
without any interpreter's or CLI's start and without any check. A tool can beat it only by asking
differently (dockerlab starts a network's containers while the next network is being made).

Usage: python bench/floor.py up|down N   (prints the seconds the engine took)
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor

import docker
from lab import IMAGE, LABEL, PARALLEL, names

KEY, VALUE = LABEL.split("=")


def up(api: docker.APIClient, n: int) -> None:
    nets, boxes = names(n)
    for j, net in enumerate(nets):
        pool = docker.types.IPAMPool(subnet=f"10.250.{j}.0/24")
        api.create_network(net, ipam=docker.types.IPAMConfig(pool_configs=[pool]), labels={KEY: VALUE})

    def run(box: str, net: str) -> None:
        config = api.create_networking_config({net: api.create_endpoint_config()})
        made = api.create_container(IMAGE, ["sleep", "infinity"], name=box, labels={KEY: VALUE}, detach=True,
                                    host_config=api.create_host_config(network_mode=net),
                                    networking_config=config)
        api.start(made["Id"])
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda pair: run(*pair), boxes))


def down(api: docker.APIClient, n: int) -> None:
    """As the CLI's teardown: every container removed by force, then the networks."""
    nets, boxes = names(n)
    with ThreadPoolExecutor(PARALLEL) as pool:
        list(pool.map(lambda pair: api.remove_container(pair[0], force=True), boxes))
    for net in nets:
        api.remove_network(net)


def main() -> None:
    step, n = sys.argv[1], int(sys.argv[2])
    api = docker.APIClient(version="auto")
    start = time.perf_counter()
    {"up": up, "down": down}[step](api, n)
    print(f"{time.perf_counter() - start:.3f}")


if __name__ == "__main__":
    main()
