"""Smoke test of a built bundle: ``python packaging/smoke_test.py [dist/shadematch]``.

Standard library only; run by ``bash scripts/build_bundle.sh --smoke-test`` and by ``.ci/run`` when
``SHADEMATCH_BUNDLE_TEST=1``. Every run of the bundled program gets an empty data folder and, where
``unshare -n`` works (Linux, root or user namespaces), no network at all: a bundle that reached
for the network would fail here. Checks, in order:

0. no symbolic link in the bundle is broken;
1. ``shadematch --version`` and ``--help`` answer from the bundle's command-line entry;
2. the window starts offscreen on a first run and opens the demo (its session is written and the
   window reopens it), then quits cleanly on SIGTERM; the same under Xvfb when ``xvfb-run`` exists;
3. ``match`` on the bundled demo photo ranks the shipped palette (``--json``);
4. ``report`` writes a PDF of the demo session the window made;
5. with no screen, one line says so (exit 1), and a mistyped command is named (exit 2);
6. start-up time: the bundle against the shadematch installed in the build environment
   (``--python``, default: the interpreter running this script), median of several launches.

Prints one line per check and the figures; exits non-zero on the first failure.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAIR, SKIN = "190,30,80,30", "242,110,16,14"  # the README's example regions on the demo photo


class SmokeFailure(Exception):
    pass


def _no_network_prefix() -> list[str]:
    """``unshare -n`` (or ``-rn``) when this machine allows a process without network."""
    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        return []
    for prefix in (["unshare", "-n"], ["unshare", "-rn"]):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return []


class Bundle:
    def __init__(self, folder: Path) -> None:
        name = "shadematch.exe" if sys.platform == "win32" else "shadematch"
        self.program = folder / name
        if not self.program.is_file():
            raise SmokeFailure(f"{self.program} is missing: build it with `bash scripts/build_bundle.sh`")
        self.folder = folder
        self.no_network = _no_network_prefix()
        self.tmp = Path(tempfile.mkdtemp(prefix="shadematch-smoke-"))

    def env(self, data: Path, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTHON", "QT_", "SHADEMATCH_")) and k != "VIRTUAL_ENV"}
        env["SHADEMATCH_DATA_DIR"] = str(data)
        env.update(extra)
        return env

    def run(self, args: list[str], data: Path, timeout: float = 120, **extra: str):
        done = subprocess.run([*self.no_network, str(self.program), *args], capture_output=True,
                              text=True, timeout=timeout, env=self.env(data, **extra),
                              cwd=self.tmp)
        return done

    def data_folder(self, name: str) -> Path:
        path = self.tmp / name
        path.mkdir()
        return path


def check(label: str, condition: bool, detail: str = "") -> None:
    if not condition:
        raise SmokeFailure(f"{label}: {detail}")
    print(f"ok   {label}", flush=True)


def check_links(b: Bundle) -> None:
    """Every symbolic link in the bundle leads to a file in it (a library left out of the build
    must take PyInstaller's link to it along)."""
    broken = sorted(str(p.relative_to(b.folder)) for p in b.folder.rglob("*")
                    if p.is_symlink() and not p.exists())
    check("no broken links in the bundle", not broken, ", ".join(broken[:5]))


def check_cli_entry(b: Bundle) -> None:
    data = b.data_folder("cli")
    done = b.run(["--version"], data)
    check("--version", done.returncode == 0 and re.match(r"shadematch \d", done.stdout) is not None,
          done.stdout + done.stderr)
    done = b.run(["--help"], data)
    check("--help lists the commands", done.returncode == 0 and "match" in done.stdout
          and "report" in done.stdout, done.stdout + done.stderr)


def _demo_photo(b: Bundle) -> Path:
    found = sorted(b.folder.rglob("_data/assets/demo/astronaut.jpg"))
    if not found:
        raise SmokeFailure(f"the demo photo is not inside {b.folder}")
    return found[0]


def check_window_opens_the_demo(b: Bundle, label: str, data: Path, wrapper: list[str],
                                **extra: str) -> Path:
    """Start the window on a first run, wait for the demo session, quit with SIGTERM."""
    command = [*wrapper, *b.no_network, str(b.program)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, env=b.env(data, **extra), cwd=b.tmp,
                               start_new_session=True)
    deadline = time.monotonic() + 90
    session = None
    settings_text = ""
    while time.monotonic() < deadline and process.poll() is None:
        sessions = sorted((data / "demo").glob("*.shadematch")) if (data / "demo").is_dir() else []
        settings = sorted(data.glob("*.ini"))
        settings_text = settings[0].read_text("utf-8", "replace") if settings else ""
        if sessions and "demo" in settings_text:
            session = sessions[0]
            break
        time.sleep(0.25)
    if session is not None:
        time.sleep(2.0)  # the window opens the session it was handed (decode and measure)
    alive = process.poll() is None
    if alive:
        os.killpg(process.pid, signal.SIGTERM)  # the app quits cleanly on SIGTERM
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        raise SmokeFailure(f"{label}: the window did not quit within 30 s of SIGTERM") from None
    check(f"{label}: the window starts and stays up", alive, output)
    check(f"{label}: the demo session is made and opened", session is not None,
          f"no demo session in {data} after 90 s; output:\n{output}")
    logs = "".join(p.read_text("utf-8", "replace") for p in (data / "logs").glob("*.log"))
    check(f"{label}: no error in the log", "Traceback" not in logs and " ERROR " not in logs, logs)
    check(f"{label}: clean exit on SIGTERM", process.returncode in (0, -signal.SIGTERM, 143),
          f"exit {process.returncode}; output:\n{output}")
    return session


def check_match(b: Bundle) -> None:
    data = b.data_folder("match")
    done = b.run(["match", str(_demo_photo(b)), "--hair", HAIR, "--skin", SKIN, "--top", "5",
                  "--json"], data)
    check("match --json runs", done.returncode == 0, done.stderr)
    record = json.loads(done.stdout)
    ranking = record.get("ranking") or []
    check("match ranks the shipped palette", len(ranking) == 5 and all(
        isinstance(r.get("delta_e"), (int, float)) for r in ranking), done.stdout[:2000])
    done = b.run(["palettes"], data)
    check("palettes lists the two shipped palettes",
          done.returncode == 0 and "carbon-black-dilution-modelled" in done.stdout
          and "smp-undertones-modelled" in done.stdout, done.stdout + done.stderr)


def check_report(b: Bundle, session: Path) -> None:
    data = b.data_folder("report")
    out = b.tmp / "demo-report.pdf"
    done = b.run(["report", str(session), "-o", str(out)], data)
    check("report writes a PDF of the demo session", done.returncode == 0 and out.is_file()
          and out.read_bytes()[:5] == b"%PDF-" and out.stat().st_size > 20_000,
          done.stdout + done.stderr)


def check_messages(b: Bundle) -> None:
    data = b.data_folder("messages")
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": ""}
    done = subprocess.run([*b.no_network, str(b.program)], capture_output=True, text=True,
                          timeout=60, cwd=b.tmp,
                          env={k: v for k, v in b.env(data).items() if k not in env})
    check("no screen: one line, exit 1", done.returncode == 1 and "no screen" in done.stderr
          and len(done.stderr.strip().splitlines()) == 1, f"exit {done.returncode}: {done.stderr}")
    done = b.run(["nosuchcommand"], data, QT_QPA_PLATFORM="offscreen")
    check("a mistyped command is named, exit 2", done.returncode == 2
          and "not a command" in done.stderr and "match" in done.stderr, done.stderr)


def _startup_seconds(command: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([*command, "--startup-check"], capture_output=True, text=True,
                          timeout=120, env=env, cwd=cwd)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or "window shown" not in done.stdout:
        raise SmokeFailure(f"{command[0]} --startup-check failed: {done.stdout}{done.stderr}")
    return elapsed


def measure_startup(b: Bundle, python: Path, runs: int) -> dict:
    """Launch to a shown window (offscreen, a later run: the demo already seen), in seconds."""
    installed = python.parent / ("shadematch.exe" if sys.platform == "win32" else "shadematch")
    if not installed.is_file():
        raise SmokeFailure(f"{installed} is missing: pass --python of the build environment")
    results = {}
    for name, command in (("bundle", [*b.no_network, str(b.program)]),
                          ("venv", [str(installed)])):
        data = b.data_folder(f"startup-{name}")
        env = b.env(data, QT_QPA_PLATFORM="offscreen")
        first = _startup_seconds(command, env, b.tmp)  # first run: settings made, demo started
        times = [_startup_seconds(command, env, b.tmp) for _ in range(runs)]
        results[name] = {"first_s": first, "median_s": statistics.median(times)}
    results["ratio_first"] = results["bundle"]["first_s"] / results["venv"]["first_s"]
    results["ratio_median"] = results["bundle"]["median_s"] / results["venv"]["median_s"]
    return results


def folder_size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()
               ) / 2**20


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / "shadematch")
    parser.add_argument("--python", type=Path, default=Path(sys.executable),
                        help="the build environment's Python (its bin holds the installed app)")
    parser.add_argument("--runs", type=int, default=5, help="launches per start-up median")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    try:
        b = Bundle(args.bundle.resolve())
        print(f"smoke test of {b.program} ({folder_size_mb(b.folder):.0f} MB), network: "
              f"{'none (' + ' '.join(b.no_network) + ')' if b.no_network else 'not cut off here'}",
              flush=True)
        check_links(b)
        check_cli_entry(b)
        session = check_window_opens_the_demo(b, "offscreen", b.data_folder("gui-offscreen"), [],
                                              QT_QPA_PLATFORM="offscreen")
        if shutil.which("xvfb-run") and sys.platform.startswith("linux"):
            check_window_opens_the_demo(b, "Xvfb", b.data_folder("gui-xvfb"),
                                        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24"],
                                        QT_QPA_PLATFORM="xcb")
        else:
            print("skip Xvfb: xvfb-run is not installed", flush=True)
        check_match(b)
        check_report(b, session)
        check_messages(b)
        figures = {"size_mb": folder_size_mb(b.folder),
                   "startup": measure_startup(b, args.python, args.runs)}
    except SmokeFailure as exc:
        print(f"FAIL {exc}", file=sys.stderr, flush=True)
        return 1
    s = figures["startup"]
    print(f"size {figures['size_mb']:.0f} MB; launch to a shown window (offscreen, median of "
          f"{args.runs}): bundle {s['bundle']['median_s']:.2f} s, venv {s['venv']['median_s']:.2f} s "
          f"= {s['ratio_median']:.2f}x; first launch bundle {s['bundle']['first_s']:.2f} s, venv "
          f"{s['venv']['first_s']:.2f} s = {s['ratio_first']:.2f}x", flush=True)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    shutil.rmtree(b.tmp, ignore_errors=True)
    print("smoke test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
