"""What the Python client adds to a decorated call, over the bare HTTP round trips it needs.

Times N calls of a no-op function decorated with ``with_conflict_resolution`` against N runs
of the same submit/start/complete sequence done by hand with ``http.client`` on one kept-alive
connection, interleaved in rounds so that both see the same machine; prints the median per call
of each (median over rounds) and the difference.

    python Benchmarks/python-client/overhead.py [--calls 500] [--rounds 7] [--url URL]

Needs ``sexton-client`` installed (``pip install ./clients/python``). Without ``--url`` it starts
a sidecar (SEXTON_BINARY, else .build/debug/sexton) with a 0s staging window, so that each
submission is resolved on arrival rather than waiting the same 5 ms on both sides.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from urllib.parse import quote, urlsplit

from sexton_client import Client, with_conflict_resolution

ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def sidecar() -> Iterator[str]:
    binary = os.environ.get("SEXTON_BINARY", str(ROOT / ".build" / "debug" / "sexton"))
    process = subprocess.Popen(
        [binary, "serve", "--listen-api", "127.0.0.1:0", "--listen-telemetry", "127.0.0.1:0",
         "--coordinator-staging-window", "0s"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            match = re.search(r"listening api=(\S+)", line)
            if match:
                # Keep reading its log, so that a full pipe never stalls the sidecar.
                threading.Thread(target=process.stdout.read, daemon=True).start()
                yield f"http://{match.group(1)}"
                return
        raise SystemExit(f"the sidecar exited ({process.wait()}) before listening")
    finally:
        process.terminate()
        process.wait(timeout=15)


def per_call(run: Callable[[], object], calls: int) -> float:
    """Median seconds of one call over ``calls`` calls."""
    times = []
    for _ in range(calls):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def raw_sequence(url: str, target: str) -> Callable[[], None]:
    """submit, start, complete by hand: the least any client must do."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port)
    headers = {"Content-Type": "application/json"}
    submission = json.dumps({"target": target}).encode()
    completion = json.dumps({"outcome": "succeeded"}).encode()

    def post(path: str, body: bytes | None) -> dict:
        conn.request("POST", path, body, headers if body else {})
        answer = conn.getresponse()
        doc = json.loads(answer.read())
        if answer.status != 200:
            raise RuntimeError(doc)
        return doc

    def run() -> None:
        path = "/v1/operations/" + quote(post("/v1/operations", submission)["id"], safe="")
        post(path + "/start", None)
        post(path + "/complete", completion)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--url", help="a running sidecar (else one is started)")
    args = parser.parse_args()

    with (nullcontext(args.url) if args.url else sidecar()) as url, Client(url) as client:
        @with_conflict_resolution(client, target="bench/decorated")
        def noop() -> None:
            pass

        raw = raw_sequence(url, "bench/raw")
        noop(), raw()  # warm both connections
        decorated_medians, raw_medians = [], []
        for round in range(1, args.rounds + 1):
            decorated_medians.append(per_call(noop, args.calls))
            raw_medians.append(per_call(raw, args.calls))
            print(f"round {round}: decorated {decorated_medians[-1] * 1e3:.3f} ms, "
                  f"raw {raw_medians[-1] * 1e3:.3f} ms", flush=True)

    decorated, bare = statistics.median(decorated_medians), statistics.median(raw_medians)
    print(f"python {sys.version.split()[0]}, {args.calls} calls x {args.rounds} rounds, medians per call")
    print(f"decorated call (submit, start, lease kept, complete): {decorated * 1e3:.3f} ms")
    print(f"raw http.client submit/start/complete:                {bare * 1e3:.3f} ms")
    print(f"added by the client:                                  {(decorated - bare) * 1e3:.3f} ms")


if __name__ == "__main__":
    main()
