#!/usr/bin/env python3
"""The prediction table of docs/scaling.md: the all-reduce engine's efficiency per executor count and link.

T_round = K * b / r + T_allreduce + T_pass / R,  T_allreduce = 2 (N-1) alpha + 2 (N-1)/N * S / B + c,
T_pass = 1.3 (N+1) S / B + 1.8 s,  B = min(0.86 link, cap),  efficiency = T_compute / T_round.

Usage: python3 docs/scaling_model.py [--rate IMAGES_PER_S] [--batch B] [--alpha-us A] [--c-ms C] [--busy-c-ms C2]
       python3 docs/scaling_model.py --ring-csv FILE [--run TEXT] [--alpha-us A] [--share X]
The second form prints the measured-vs-predicted table of one all-reduce call (the CSV of
src/it/netns/netns-cluster.sh ring) and each point's bandwidth per peer from the difference between its two
vectors, which cancels the fixed costs. Every constant's source is in docs/scaling.md; the defaults are the
values it states.
"""
import argparse
import csv
import math

LINKS = [("1 GbE", 1e9), ("10 GbE", 10e9), ("25 GbE", 25e9), ("100 GbE", 100e9)]
EXECUTORS = [2, 4, 8, 16, 32, 64]


def allreduce_ms(n, link_bits, s_bytes, alpha_us, c_ms, share, cap_bytes):
    bandwidth = min(share * link_bits / 8, cap_bytes)
    return 2 * (n - 1) * alpha_us / 1000 + 2 * (n - 1) / n * s_bytes / bandwidth * 1000 + c_ms


def pass_ms_per_round(n, link_bits, s_bytes, share, cap_bytes, rounds_per_pass):
    if rounds_per_pass <= 0:
        return 0
    bandwidth = min(share * link_bits / 8, cap_bytes)
    return (1.3 * (n + 1) * s_bytes / bandwidth + 1.8) * 1000 / rounds_per_pass


def smallest_k(minibatch_ms, round_ms, target=0.9):
    # K * m / (K * m + a) >= target  <=>  K >= target * a / ((1 - target) * m)
    return math.ceil(target * round_ms / ((1 - target) * minibatch_ms) - 1e-9)


RATE_BITS = {"200mbit": 200e6, "1gbit": 1e9, "2.5gbit": 2.5e9, "10gbit": 10e9}


def ring_table(path, run, alpha_us, share, cap_bytes):
    rows = [r for r in csv.DictReader(open(path)) if run in r["run"]]
    print("| link | peers | vector | predicted | measured median | measured / predicted | fastest call "
          "| one-float call (per step) | CPU per peer and call | load (1 min) |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    by_point = {}
    for r in rows:
        n, floats = int(r["peers"]), int(r["floats"])
        bits = RATE_BITS[r["rate"]]
        predicted = allreduce_ms(n, bits, 4 * floats, alpha_us, 0, share, cap_bytes)
        median = float(r["median_ms"])
        latency = float(r["latency_median_ms"])
        by_point[(r["rate"], n, floats)] = median
        print("| %s | %d | %.1f MB | %.0f ms | **%.0f ms** | %.0f%% | %.0f ms | %.2f ms (%.3f ms) | %s ms | %s |" % (
            r["rate"], n, 4 * floats / 1e6, predicted, median, 100 * median / predicted, float(r["min_ms"]),
            latency, latency / (2 * (n - 1)), r["cpu_ms_per_peer"] or "-", r["load_1m"]))
    print()
    print("| link | peers | bandwidth per peer | share of the link rate |")
    print("| --- | --- | --- | --- |")
    for (rate, n, floats), big in sorted(by_point.items(), key=lambda kv: (RATE_BITS[kv[0][0]], kv[0][1])):
        small = by_point.get((rate, n, 3274634))
        if floats != 9823902 or small is None:
            continue
        moved = 2 * (n - 1) / n * 4 * (9823902 - 3274634)
        bandwidth = moved / ((big - small) / 1000)
        print("| %s | %d | %.0f MB/s | %.2f |" % (rate, n, bandwidth / 1e6, bandwidth / (RATE_BITS[rate] / 8)))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rate", type=float, default=1290, help="one worker's images/s at this batch (one core)")
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--s-mb", type=float, default=39.3, help="what is averaged, MB")
    p.add_argument("--alpha-us", type=float, default=116)
    p.add_argument("--c-ms", type=float, default=43)
    p.add_argument("--busy-c-ms", type=float, default=146)
    p.add_argument("--share", type=float, default=0.88, help="share of the link rate a peer moves")
    p.add_argument("--cap-gb", type=float, default=1.7, help="a peer's socket copies, GB/s")
    p.add_argument("--rounds-per-pass", type=int, default=50, help="checkpoint.every-rounds; 0 leaves T_pass out")
    p.add_argument("--ring-csv", help="print the measured-vs-predicted table of this ring.csv instead "
                   "(docs/netns-2026-12-02-ring.csv: its header, and a run column)")
    p.add_argument("--run", default="", help="only the rows whose run column contains this")
    a = p.parse_args()
    if a.ring_csv:
        ring_table(a.ring_csv, a.run, a.alpha_us, a.share, a.cap_gb * 1e9)
        return
    minibatch_ms = a.batch / a.rate * 1000
    s = a.s_mb * 1e6
    cap = a.cap_gb * 1e9
    print("| executors | link | all-reduce + pass per round | efficiency, averaging every 5 (the default) | every 10 "
          "| smallest averaging frequency for >= 90%% | the same with c = %g ms (busy hosts) |" % a.busy_c_ms)
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in EXECUTORS:
        for name, bits in LINKS:
            passes = pass_ms_per_round(n, bits, s, a.share, cap, a.rounds_per_pass)
            ring = allreduce_ms(n, bits, s, a.alpha_us, a.c_ms, a.share, cap) + passes
            busy = allreduce_ms(n, bits, s, a.alpha_us, a.busy_c_ms, a.share, cap) + passes
            eff = lambda k: k * minibatch_ms / (k * minibatch_ms + ring)
            print("| %d | %s | %.0f ms | %.0f%% | %.0f%% | %d | %d |" % (
                n, name, ring, 100 * eff(5), 100 * eff(10), smallest_k(minibatch_ms, ring),
                smallest_k(minibatch_ms, busy)))


if __name__ == "__main__":
    main()
