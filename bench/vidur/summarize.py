#!/usr/bin/env python3
"""Summarize one bench/vidur/run.sh case directory: medians and speed-ups."""
import json
import statistics
import sys


def main() -> None:
    out, repeats = sys.argv[1], int(sys.argv[2])
    vidur = [json.load(open(f"{out}/vidur-{i}.json")) for i in range(1, repeats + 1)]
    simtime = json.load(open(f"{out}/simtime.json"))

    def go_wall(mode):
        return [float(open(f"{out}/go-{mode}-{i}.time").read().split()[0]) for i in range(1, repeats + 1)]

    med = statistics.median
    v_loop = med(v["event_loop_s"] for v in vidur)
    v_out = med(v["event_loop_plus_output_s"] for v in vidur)
    v_setup = med(v["setup_s"] for v in vidur)
    g_loop = simtime["median_run_s"]
    g_e2e = med(go_wall("plots"))
    g_e2e_np = med(go_wall("noplots"))
    n = vidur[0]["requests"]
    assert n == simtime["requests"], f"request counts differ: Vidur {n}, vidur-go {simtime['requests']}"
    print(f"requests {n}; Vidur batches {vidur[0]['batches']}, events {vidur[0]['events']}; "
          f"vidur-go batches {simtime['batches']}, events {simtime['events']}")
    print(f"Vidur setup (excluded: config, trace, prediction tables) median {v_setup:.2f} s")
    print(f"Vidur event loop            median {v_loop:.3f} s  ({n / v_loop:,.0f} req/s)  runs {[round(v['event_loop_s'], 3) for v in vidur]}")
    print(f"Vidur event loop + output   median {v_out:.3f} s  ({n / v_out:,.0f} req/s)  runs {[round(v['event_loop_plus_output_s'], 3) for v in vidur]}")
    print(f"vidur-go Setup.Run          median {g_loop:.4f} s  ({n / g_loop:,.0f} req/s)  runs {[round(x, 4) for x in simtime['run_s']]}")
    print(f"vidur-go vidur-sim run, whole process        median {g_e2e:.2f} s  ({n / g_e2e:,.0f} req/s)  runs {go_wall('plots')}")
    print(f"vidur-go vidur-sim run --no-plots, process   median {g_e2e_np:.2f} s  ({n / g_e2e_np:,.0f} req/s)  runs {go_wall('noplots')}")
    print(f"speed-up, event loop: {v_loop / g_loop:.0f}x")
    print(f"speed-up, Vidur loop+output vs whole vidur-sim process: {v_out / g_e2e:.1f}x (with plots), {v_out / g_e2e_np:.1f}x (--no-plots)")


if __name__ == "__main__":
    main()
