"""Starts the real sexton binary for the monitoring tests and finds its bound addresses."""
import os
import re
import subprocess
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def binary() -> str:
    return os.environ.get("SEXTON_BINARY", str(ROOT / ".build" / "debug" / "sexton"))


class Sexton:
    """`sexton serve` on free loopback ports; use as a context manager. `command` runs the binary
    some other way (from the container image, say)."""

    def __init__(self, *args: str, config: str | None = None, env: dict | None = None,
                 command: list[str] | None = None):
        self.command = command or [binary()]
        self.args = ["serve", "--listen-api", "127.0.0.1:0", "--listen-telemetry", "127.0.0.1:0", *args]
        if config is not None:
            handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False)
            handle.write(config)
            handle.close()
            self.args += ["--config", handle.name]
        self.env = {**os.environ, **(env or {})}
        self.lines: list[str] = []
        self.api = self.telemetry = ""

    def __enter__(self) -> "Sexton":
        self.proc = subprocess.Popen([*self.command, *self.args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=self.env)
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for line in list(self.lines):
                match = re.search(r"listening api=(\S+) telemetry=(\S+)", line)
                if match:
                    self.api, self.telemetry = match.group(1), match.group(2)
                    return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.proc.kill()
        raise RuntimeError("sexton did not start:\n" + "".join(self.lines))

    def metric(self, name: str, **labels: str) -> float:
        """The sum over the series of ``name`` on /metrics whose labels include ``labels``; 0 when none."""
        with urllib.request.urlopen(f"http://{self.telemetry}/metrics", timeout=10) as answer:
            text = answer.read().decode()
        total = 0.0
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            series, _, value = line.rpartition(" ")
            series_name, _, label_text = series.partition("{")
            if series_name == name and all(f'{k}="{v}"' in label_text for k, v in labels.items()):
                total += float(value)
        return total

    def _pump(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)

    def __exit__(self, *exc) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
