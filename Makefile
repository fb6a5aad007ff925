# One command each: `make demo` brings a lab up, proves it and tears it down; `make test` runs the suite.
# Both install what they need on a fresh Debian machine (as root): docker.io, dockerd, a busybox image.
# ENGINE=20 (Debian 12's docker.io) or ENGINE=28 (Docker 28.5, fetched once): `make test ENGINE=28` switches the
# machine's engine to it (see scripts/engine.sh); without ENGINE, whatever engine answers is used.
export ENGINE
VENV ?= .venv
PY := $(VENV)/bin/python
DL := $(VENV)/bin/dockerlab
DEMO ?= labs/user-bridge.yaml

.PHONY: demo test test-kernel hosts hosts-down unit lint engine image parents bench bench-history bench-hosts bench-300 clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip uninstall -q -y dockerlab 2>/dev/null || true  # its name before it became dockerlab-net
	$(PY) -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

engine image:
	bash scripts/setup-engine.sh

demo: $(VENV)/.installed engine
	$(DL) validate labs/*.yaml
	$(DL) apply $(DEMO) --check
	$(DL) apply $(DEMO)
	$(DL) status $(DEMO)
	$(DL) destroy $(DEMO)

test: lint engine
	command -v chromium >/dev/null && command -v chromedriver >/dev/null || DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq chromium chromium-driver >/dev/null \
	  || echo "test: no chromium or chromedriver; the browser tests will skip"
	command -v tcpdump >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq tcpdump >/dev/null \
	  || echo "test: no tcpdump; the capture tests will skip"
	command -v pipx >/dev/null && command -v zsh >/dev/null && command -v fish >/dev/null \
	  || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq pipx zsh fish >/dev/null \
	  || echo "test: no pipx, zsh or fish; the pipx install and completion script tests will skip"
	$(PY) -m pytest -ra $(PYTEST_ARGS)

# the tests marked `kernel` (ipvlan, 802.1q, ...) for real, in a VM with Debian's stock kernel (see scripts/)
test-kernel: $(VENV)/.installed engine
	bash scripts/kernel-vm.sh

# more engines on this machine, in network namespaces (labs across hosts): make hosts N=3; make hosts-down
hosts: engine
	bash scripts/hosts.sh up $(or $(N),2)

hosts-down:
	bash scripts/hosts.sh down

unit: $(VENV)/.installed
	$(PY) -m pytest -ra -m 'not engine' $(PYTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check dockerlab tests bench
	$(VENV)/bin/mypy

# veth pairs that labs/macvlan*.yaml and labs/ipvlan.yaml use as parent interfaces
parents:
	ip link show dlab-mv0 >/dev/null 2>&1 || (ip link add dlab-mv0 type veth peer name dlab-mv1 && \
	  ip link set dlab-mv0 up && ip link set dlab-mv1 up)
	ip addr replace 10.77.10.2/24 dev dlab-mv0  # a LAN interface has an address of its own (labs/macvlan*.yaml)
	ip link show dlab-ipv0 >/dev/null 2>&1 || (ip link add dlab-ipv0 type veth peer name dlab-ipv1 && \
	  ip link set dlab-ipv0 up && ip link set dlab-ipv1 up)
	for lan in rt0 rt1; do ip link show dlab-$$lan >/dev/null 2>&1 || (ip link add dlab-$$lan type veth peer name \
	  dlab-$$lan-peer && ip link set dlab-$$lan up && ip link set dlab-$$lan-peer up); done  # labs/router.yaml

# Not part of `make test`: dockerlab against Compose v2 (unpacked with Docker 28, fetch-engine.sh), the parallel
# docker CLI and the engine's own time, on Docker 28 and then 20.10; bench/RESULTS.md holds both. History rows
# when asked: BENCH_ARGS="--tools dockerlab,compose,compose-v1,ansible" (make bench-history installs those two).
bench: $(VENV)/.installed
	ENGINE=28 bash scripts/fetch-engine.sh
	$(PY) -c 'import matplotlib' 2>/dev/null || $(PY) -m pip install -q --disable-pip-version-check matplotlib
	for engine in 28 20; do $(MAKE) -s engine ENGINE=$$engine && $(PY) bench/run.py $(BENCH_ARGS) || exit 1; done
	$(MAKE) bench-hosts

bench-history:
	command -v docker-compose >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose
	[ -x bench/.venv/bin/ansible-playbook ] || (python3 -m venv bench/.venv && \
	  bench/.venv/bin/pip install -q --disable-pip-version-check ansible docker requests)

# 60 containers on two engines of the rig (make hosts N=2), against the docker CLI on both at once
bench-hosts: $(VENV)/.installed engine
	bash scripts/hosts.sh up 2
	$(PY) bench/hosts.py $(BENCH_HOSTS_ARGS); status=$$?; bash scripts/hosts.sh down; exit $$status

# the same with a 300-container lab too (one round there: --big-rounds; it takes minutes per tool)
bench-300:
	$(MAKE) bench BENCH_ARGS="--sizes 10,30,100,300 $(BENCH_ARGS)"

clean:
	rm -rf $(VENV) .vm-venv .pytest_cache
