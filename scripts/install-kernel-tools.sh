#!/usr/bin/env bash
# Installs the Debian packages the real-kernel tests and `dpsim calibrate` use, when running as root on a
# Debian-like system and any of them is missing. Elsewhere it says what it skipped; those tests then skip
# with the reason.
set -uo pipefail
packages=(iptables ipset nftables bpftool iproute2 clang llvm libbpf-dev conntrack iputils-ping nfacct)
tools=(iptables-legacy-restore iptables-nft-restore ipset nft bpftool ip tc clang conntrack ping nfacct)
missing=()
for t in "${tools[@]}"; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
[ -e /usr/include/bpf/bpf_helpers.h ] || missing+=(libbpf-dev)
if [ ${#missing[@]} -eq 0 ]; then echo "kernel tools: all present"; exit 0; fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "kernel tools: missing ${missing[*]}; not root or no apt-get, so not installing (kernel tests will skip)"
  exit 0
fi
echo "kernel tools: installing ${packages[*]} (missing: ${missing[*]})"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${packages[@]}" >/dev/null || {
  echo "kernel tools: apt-get failed; kernel tests will skip"
  exit 0
}
