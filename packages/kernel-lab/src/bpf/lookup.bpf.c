// SPDX-License-Identifier: GPL-2.0
// dataplane-sim kernel lab: a tc (clsact ingress) program that looks the IPv4 destination of every packet
// up in a BPF hash map, the way Cilium's bpf/lib/lb.h looks a service frontend up in cilium_lb4_services_v2
// (one hashed lookup whatever the map holds). It never changes the packet: the lab measures the lookup.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#ifndef MAX_ENTRIES
#define MAX_ENTRIES 65536
#endif

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, MAX_ENTRIES);
  __type(key, __u32);
  __type(value, __u32);
  __uint(map_flags, BPF_F_NO_PREALLOC);
} dpsim_frontends SEC(".maps");

// [0] packets seen, [1] lookups that hit: lets the lab check the program really ran.
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, __u32);
  __type(value, __u64);
} dpsim_stats SEC(".maps");

static __always_inline void bump(__u32 slot) {
  __u64 *v = bpf_map_lookup_elem(&dpsim_stats, &slot);
  if (v) __sync_fetch_and_add(v, 1);
}

SEC("tc")
int dpsim_lookup(struct __sk_buff *skb) {
  void *data = (void *)(long)skb->data;
  void *end = (void *)(long)skb->data_end;
  struct ethhdr *eth = data;
  if ((void *)(eth + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP)) return TC_ACT_OK;
  struct iphdr *ip = (void *)(eth + 1);
  if ((void *)(ip + 1) > end) return TC_ACT_OK;
  __u32 key = ip->daddr;
  bump(0);
  if (bpf_map_lookup_elem(&dpsim_frontends, &key)) bump(1);
  return TC_ACT_OK;
}

char _license[] SEC("license") = "GPL";
