"""``make bench`` → ``python -m bench``: every benchmark, written to bench/RESULTS.md.

Each figure is compared with a baseline measured in the same run on the same machine.
``python -m bench --quick`` runs smaller request counts (for a smoke check, not for numbers);
``--only http,engine,train,stream,startup,memory`` picks sections.
"""

import argparse
import datetime
import importlib.util
import os
import platform
import subprocess
import sys
import time
import traceback
from pathlib import Path

from bench.common import ROOT

RESULTS = ROOT / "bench" / "RESULTS.md"
SECTIONS = ["http", "engine", "train", "stream", "startup", "memory"]


def fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e6):
            return f"{value:.3g}"
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict]) -> str:
    lines = [
        "| measurement | value | unit | baseline | ratio | goal | met |",
        "|---|---:|---|---:|---:|---|---|",
    ]
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "**NO**")
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.3g}×"
        lines.append(
            f"| {r['name']} | {fmt(r['value'])} | {r['unit']} | {fmt(r['baseline'])} | {ratio} "
            f"| {r['goal']} | {met} |"
        )
    return "\n".join(lines)


def machine() -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    from app.engine.tf import tf

    load = os.getloadavg()
    return (
        f"- date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC, commit `{commit}`\n"
        f"- machine: {os.cpu_count()} CPUs, {platform.machine()}, Python "
        f"{platform.python_version()}, TensorFlow {tf.__version__}\n"
        f"- load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}: the machine is "
        "shared with other workers, so absolute figures are pessimistic; the ratios, each "
        "against a baseline measured in the same run, are what count\n"
        "- server: one uvicorn process started by the CLI, exactly as `backprop-visualizer`; "
        "the load client shares the 2 cores with it"
    )


def guarded(measure, *args, parts: int = 1):
    """The section's rows, or one failed row naming the error (the other sections still
    reach RESULTS.md)."""
    from bench.common import row

    try:
        return measure(*args)
    except Exception as error:  # noqa: BLE001 - reported in the results, not hidden
        traceback.print_exc()
        failed = [
            row("this section failed", 0, "", goal=f"{type(error).__name__}: {error}", met=False)
        ]
        return failed if parts == 1 else (failed,) + ([],) * (parts - 1)


def run(sections: list[str], quick: bool) -> str:
    scale = 0.25 if quick else 1.0
    parts, profile = [], ""
    started = time.perf_counter()
    if "http" in sections:
        from bench import http_load

        print("http: /backprop vs /healthz at 1, 16, 32 clients …", flush=True)
        rows, raw = http_load.run(scale)
        doc = http_load.__doc__ + "\n\n" + http_load.reading(raw)
        parts.append(("HTTP: /api/v1/backprop vs /healthz on loopback", rows, doc))
    if "engine" in sections:
        from bench import engine_speed

        print("engine: one forward+backward vs NumPy, profile …", flush=True)
        rows, profile = engine_speed.measure(100 if quick else 400)
        parts.append(("Engine: one forward+backward", rows, engine_speed.__doc__))
    if "train" in sections:
        if importlib.util.find_spec("bench.train_speed"):
            from bench import train_speed

            print("train: steps/s vs NumPy (bench/train_speed.py) …", flush=True)
            parts.append(("Training speed (bench/train_speed.py)", guarded(train_speed.run), ""))
    if "stream" in sections:
        from bench import stream_speed

        print("stream: one trainer in Chromium, 8 stream clients, threads and RSS …", flush=True)
        rows = guarded(stream_speed.run, scale)
        parts.append(("Live training stream", rows, stream_speed.__doc__))
    if "startup" in sections:
        from bench import startup

        print("startup: cold start, first plot, bytes, cache headers …", flush=True)
        parts.append(("Start-up and first page", guarded(startup.measure), startup.__doc__))
    if "memory" in sections:
        from bench import memory

        print("memory: RSS over 2,200 never-seen architectures, then latency …", flush=True)
        churn_rows, latency_rows = guarded(memory.measure, scale, parts=2)
        parts.append(("Memory under churn of never-seen architectures", churn_rows, memory.__doc__))
        parts.append(("Latency: never-seen vs seen architecture", latency_rows, ""))
    out = ["# Benchmark results", "", "Written by `make bench` (`python -m bench`).", ""]
    out += [machine(), f"- wall time of this run: {time.perf_counter() - started:.0f} s", ""]
    for title, rows, doc in parts:
        out += [f"## {title}", ""]
        for paragraph in doc.split("\n\n") if doc else []:
            out += [" ".join(paragraph.split()), ""]
        out += [table(rows), ""]
    if profile:
        out += [
            "## Where one /api/v1/backprop request spends its time",
            "",
            "pyinstrument, 300 in-process requests on the classroom network (from the route "
            "handler down; times are totals over all requests):",
            "",
            "```",
            profile,
            "```",
            "",
        ]
    missed = [r["name"] for _t, rows, _d in parts for r in rows if r["met"] is False]
    out += ["## Goals missed", ""]
    out += [f"- {name}" for name in missed] or ["- none"]
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller counts, smoke check")
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        sys.exit(f"unknown sections: {sorted(unknown)}; choose from {SECTIONS}")
    text = run(sections, args.quick)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {args.output}")


if __name__ == "__main__":
    main()
