#!/usr/bin/env python3
"""The prediction table of docs/scaling.md: the all-reduce engine's efficiency per executor count and link.

T_round = K * b / r + T_allreduce,  T_allreduce = 2 (N-1) alpha + 2 (N-1)/N * S / B + c,  B = min(0.88 link, cap)
efficiency = T_compute / T_round (the per-pass term, ~1-2 points at 50 rounds per pass, is left out).

Usage: python3 docs/scaling_model.py [--rate IMAGES_PER_S] [--batch B] [--alpha-us A] [--c-ms C] [--busy-c-ms C2]
Every constant's source is in docs/scaling.md; the defaults are the values it states.
"""
import argparse
import math

LINKS = [("1 GbE", 1e9), ("10 GbE", 10e9), ("25 GbE", 25e9), ("100 GbE", 100e9)]
EXECUTORS = [2, 4, 8, 16, 32, 64]


def allreduce_ms(n, link_bits, s_bytes, alpha_us, c_ms, share, cap_bytes):
    bandwidth = min(share * link_bits / 8, cap_bytes)
    return 2 * (n - 1) * alpha_us / 1000 + 2 * (n - 1) / n * s_bytes / bandwidth * 1000 + c_ms


def smallest_k(minibatch_ms, round_ms, target=0.9):
    # K * m / (K * m + a) >= target  <=>  K >= target * a / ((1 - target) * m)
    return math.ceil(target * round_ms / ((1 - target) * minibatch_ms) - 1e-9)


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
    a = p.parse_args()
    minibatch_ms = a.batch / a.rate * 1000
    s = a.s_mb * 1e6
    cap = a.cap_gb * 1e9
    print("| executors | link | all-reduce per round | efficiency, averaging every 5 (the default) | every 10 "
          "| smallest averaging frequency for >= 90%% | the same with c = %g ms (busy hosts) |" % a.busy_c_ms)
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in EXECUTORS:
        for name, bits in LINKS:
            ring = allreduce_ms(n, bits, s, a.alpha_us, a.c_ms, a.share, cap)
            busy = allreduce_ms(n, bits, s, a.alpha_us, a.busy_c_ms, a.share, cap)
            eff = lambda k: k * minibatch_ms / (k * minibatch_ms + ring)
            print("| %d | %s | %.0f ms | %.0f%% | %.0f%% | %d | %d |" % (
                n, name, ring, 100 * eff(5), 100 * eff(10), smallest_k(minibatch_ms, ring),
                smallest_k(minibatch_ms, busy)))


if __name__ == "__main__":
    main()
