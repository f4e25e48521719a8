#!/usr/bin/env python3
"""/livez latency from one address while another floods the telemetry listener with idle
connections (CONTRACT §5: no client can starve the probes).

  SEXTON_BINARY=.build/release/sexton Benchmarks/flood/probe_latency.py [IDLE] [PROBES] [RUNS]

Both listeners bind 0.0.0.0; the flood (IDLE connections, default 1000) comes from 127.0.0.1, the
probes (PROBES sequential GET /livez on fresh connections, default 2000) from 127.0.0.2. Prints
p50 and p99 without and with the flood for each of RUNS (default 3) runs, then the medians.
"""
import socket
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Tests" / "monitoring"))
from sexton_process import Sexton  # noqa: E402


def probe(port: int) -> float:
    started = time.perf_counter()
    with socket.socket() as s:
        s.settimeout(10)
        s.bind(("127.0.0.2", 0))
        s.connect(("127.0.0.1", port))
        s.sendall(b"GET /livez HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:60]
    return time.perf_counter() - started


def percentiles(port: int, probes: int) -> tuple[float, float]:
    samples = sorted(probe(port) for _ in range(probes))
    return samples[len(samples) // 2] * 1e3, samples[int(len(samples) * 0.99)] * 1e3


def main(idle: int, probes: int, runs: int) -> None:
    quiet, flooded = [], []
    for run in range(runs):
        with Sexton("--listen-telemetry", "0.0.0.0:0", "--listen-api", "0.0.0.0:0") as sexton:
            port = int(sexton.telemetry.rsplit(":", 1)[1])
            quiet.append(percentiles(port, probes))
            flood = []
            for _ in range(idle):
                s = socket.socket()
                s.bind(("127.0.0.1", 0))
                try:
                    s.connect(("127.0.0.1", port))
                    flood.append(s)
                except OSError:
                    s.close()
            flooded.append(percentiles(port, probes))
            for s in flood:
                s.close()
        print(f"run {run + 1}: quiet p50 {quiet[-1][0]:.3f} ms p99 {quiet[-1][1]:.3f} ms; "
              f"{idle} idle from 127.0.0.1: p50 {flooded[-1][0]:.3f} ms p99 {flooded[-1][1]:.3f} ms")
    q99 = statistics.median(p for _, p in quiet)
    f99 = statistics.median(p for _, p in flooded)
    print(f"median p99: quiet {q99:.3f} ms, flooded {f99:.3f} ms, ratio {f99 / q99:.2f}")


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    main(*(args + [1000, 2000, 3][len(args):]))
