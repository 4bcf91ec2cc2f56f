#!/usr/bin/env python3
"""Summarise a dotnet-trace Speedscope file: where the step's time goes.

    dotnet-trace collect --format Speedscope --profile dotnet-sampled-thread-time -o run.nettrace -- \
        dotnet bench/Pipeline.Bench/bin/Release/net10.0/Pipeline.Bench.dll run encoder_eval --iters 60 --threads 1
    python3 bench/tools/speedscope_summary.py run.speedscope.json [--root Timing.Measure] [--top 15]

Prints, for the samples whose stack contains the root frame (default: the timed steps), the share of
time by deepest named frame ("self", with its caller, because the JIT inlines small kernels into their
callers) and by frame anywhere on the stack ("inclusive"). Per-thread totals show how much of each
thread's wall time is spent working, spinning or blocked, which is how worker-team participation was
checked.
"""
import argparse
import collections
import json

PSEUDO = ("CPU_TIME", "UNMANAGED_CODE_TIME")


def short(name, width=70):
    return name.split("!")[-1].split("(")[0][-width:]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("speedscope")
    parser.add_argument("--root", default="Timing.Measure", help="only samples under a frame containing this text")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()

    with open(args.speedscope) as f:
        data = json.load(f)
    frames = data["shared"]["frames"]
    self_time, inclusive = collections.Counter(), collections.Counter()
    total = 0.0
    for profile in data["profiles"]:
        if profile["type"] != "evented":
            continue
        stack, previous, thread_total, thread_rooted = [], None, 0.0, 0.0
        for event in profile["events"]:
            at = event["at"]
            if previous is not None and stack:
                dt = at - previous
                thread_total += dt
                names = [frames[i]["name"] for i in stack]
                if any(args.root in n for n in names):
                    thread_rooted += dt
                    total += dt
                    for depth in range(len(names) - 1, -1, -1):
                        if names[depth] not in PSEUDO:
                            caller = short(names[depth - 1], 40) if depth > 0 else ""
                            self_time[(short(names[depth]), caller)] += dt
                            break
                    for name in set(names):
                        if name not in PSEUDO and "!" in name:   # skip the process/thread root pseudo-frames
                            inclusive[short(name)] += dt
            previous = at
            if event["type"] == "O":
                stack.append(event["frame"])
            elif stack:
                stack.pop()
        if thread_total > 0:
            print(f"{profile['name'][:40]:40} wall {thread_total:9.0f} ms, under root {thread_rooted:9.0f} ms")
    if total == 0:
        print(f"no samples under a frame containing '{args.root}'")
        return
    print(f"\nself time (deepest named frame <- caller), {total:.0f} ms under the root:")
    for (name, caller), t in self_time.most_common(args.top):
        print(f"  {100 * t / total:5.1f}%  {name}  <- {caller}")
    print("\ninclusive:")
    for name, t in inclusive.most_common(args.top):
        print(f"  {100 * t / total:5.1f}%  {name}")


if __name__ == "__main__":
    main()
