#!/usr/bin/env bash
# ENGINE=28 (see engine.sh): Docker 28 from Debian's unstable suite, fetched once with a private apt list (the
# system's dpkg and sources are left as they are) and unpacked into a cache only root can change. The archive
# is the one this machine's own sources name for its release (DEBIAN_MIRROR overrides). Nothing to do for 20.
set -euo pipefail
. "$(dirname "$0")/engine.sh"
[ "$ENGINE_ROOT" != / ] || exit 0
PACKAGES=(docker.io containerd docker-cli docker-compose)
NEEDED=(usr/sbin/dockerd usr/sbin/docker-proxy usr/bin/containerd usr/bin/containerd-shim-runc-v2)

fail() { echo "fetch-engine: $*" >&2; exit 1; }

# root runs what is in the cache: every directory on the way must be root's alone, and none a link
only_root_changes() {
  [ -d "$1" ] && [ ! -L "$1" ] && [ "$(stat -c %u "$1")" = 0 ] && [ $(( 8#$(stat -c %a "$1") & 8#022 )) = 0 ]
}
safe_cache() {
  local dir
  for dir in /opt "$ENGINE_CACHES" "$ENGINE_CACHE"; do
    [ -e "$dir" ] || [ -L "$dir" ] || mkdir -m 0755 "$dir"
    only_root_changes "$dir" || fail "$dir is not a directory that only root can change (owner root, mode 755," \
      "not a link); remove it or fix it, and run again"
  done
}

fetched() {
  local file
  [ -f "$ENGINE_CACHE/VERSION" ] || return 1
  for file in "${NEEDED[@]}"; do [ -x "$ENGINE_ROOT/$file" ] || return 1; done
}

# The archive of this machine's release in its own apt sources (deb822 or one-line), never a third party's.
archive() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then echo "$DEBIAN_MIRROR"; return; fi
  local release; release=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  { cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true; } | awk -v r="$release" 'BEGIN { RS = "" }
    { uri = ""; ok = 0
      for (i = 1; i <= NF; i++) {
        if ($i == "URIs:") uri = $(i + 1)
        if ($i == "Suites:") for (j = i + 1; j <= NF && $j !~ /:$/; j++) if ($j == r) ok = 1
      }
      if (ok && uri != "") { print uri; exit } }'
  { cat /etc/apt/sources.list 2>/dev/null || true; } | awk -v r="$release" '$1 == "deb" {
      i = 2; if ($i ~ /^\[/) { while (i < NF && $i !~ /\]$/) i++; i++ }
      if ($(i + 1) == r) { print $i; exit } }'
}

safe_cache
fetched && exit 0
exec 9> "$ENGINE_CACHE/.lock"
flock 9  # two runs at once: the second waits, then finds the cache made
fetched && exit 0
mirror=$(archive | head -1)
[ -n "$mirror" ] || fail "this machine's apt sources name no Debian archive for its release; set DEBIAN_MIRROR"
work=$(mktemp -d "$ENGINE_CACHE/fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial" "$work/debs" "$work/root"
echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main" > "$work/sources.list"
apt=(-qq -o "Dir::Etc::SourceList=$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
     -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o Dir::State::status=/dev/null
     -o APT::Sandbox::User=root)
echo "fetch-engine: fetching Docker $ENGINE (${PACKAGES[*]}) from Debian's unstable suite"
apt-get "${apt[@]}" update || fail "could not read Debian's unstable suite at $mirror"
version=$(apt-cache "${apt[@]}" show docker.io 2>/dev/null | sed -n 's/^Version: //p' | head -1 || true)
is_chosen "$version" || fail "Debian's unstable suite has docker.io ${version:-(none)}, not $ENGINE.x"
(cd "$work/debs" && apt-get "${apt[@]}" download "${PACKAGES[@]}") || fail "could not download Docker $version"
for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/root"; done
echo "$version" > "$work/root/VERSION"
rm -rf "$ENGINE_ROOT" "$ENGINE_CACHE/VERSION"
mv "$work/root" "$ENGINE_ROOT"  # whole or not at all
mv "$ENGINE_ROOT/VERSION" "$ENGINE_CACHE/VERSION"
echo "fetch-engine: Docker $version in $ENGINE_CACHE"
