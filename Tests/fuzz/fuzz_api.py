#!/usr/bin/env python3
"""A seeded random client against the real sidecar's API: valid requests of every route, then
the same bytes mutated (flipped, cut, repeated, spliced with JSON and HTTP edge cases), for a
bounded time. It fails on a 5xx, an error answer that is not the contract's JSON shape, a request
that gets no answer at all, or a process that stopped.

  fuzz_api.py [SECONDS] [SEED]        (defaults 20 and 1; SEXTON_BINARY picks the binary)

CI runs it (tests/monitoring/test_fuzz.py) for a short, fixed time; run it longer by hand.
"""
import json
import random
import socket
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "monitoring"))
from sexton_process import Sexton  # noqa: E402

SEEDS = [
    ("POST", "/v1/operations", {"target": "orders/1", "priority": "high", "id": "op-1"}),
    ("POST", "/v1/operations", {"target": "t", "priority": 7, "parent": "op-1", "retry_of": "x", "retry_count": 2,
                                "expected_version": 0, "target_type": "order", "op_type": "sync",
                                "cleanup": {"strategy": "deferred", "retention": "5m"}}),
    ("POST", "/v1/batches", {"operations": [{"target": "b"}, {"target": "b", "priority": "critical"}]}),
    ("POST", "/v1/operations/op-1/start", None),
    ("POST", "/v1/operations/op-1/heartbeat", None),
    ("POST", "/v1/operations/op-1/complete", {"outcome": "failed", "error": "boom"}),
    ("DELETE", "/v1/operations/op-1", None),
    ("GET", "/v1/operations/op-1", None),
    ("GET", "/v1/targets/orders%2F1", None),
    ("GET", "/v1/zombies?target=t&limit=5", None),
    ("POST", "/admin/cleanup?dry_run=true", None),
    ("GET", "/admin/cleanup/status", None),
]
EDGES = [b"\x00", b"\xff", b"1e400", b"-0", b'"\\ud800"', b"[" * 600, b"{}", b"null", b'"a","a"', b"%00", b"%", b"\r\n",
         b"Transfer-Encoding: chunked\r\n", b"Content-Length: 99999999\r\n", b" ", b"\xc3\x28", b"9" * 400]


def render(method: str, path: str, body, data: bytes | None = None) -> bytes:
    if data is None:
        data = b"" if body is None else json.dumps(body).encode()
    head = f"{method} {path} HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\nAuthorization: Bearer fuzz-token\r\n"
    if body is not None:
        head += f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
    return head.encode() + b"\r\n" + data


def mutate(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(5)
        at = rng.randrange(len(data) + 1)
        if kind == 0 and data:
            data[min(at, len(data) - 1)] = rng.randrange(256)
        elif kind == 1:
            del data[at:at + rng.randint(1, 16)]
        elif kind == 2:
            data[at:at] = rng.choice(EDGES)
        elif kind == 3:
            data[at:at] = data[max(0, at - 8):at] * rng.randint(1, 4)
        else:
            data = data[:at]
    return bytes(data)


def exchange(address: str, raw: bytes) -> bytes:
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(raw)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


def check(raw: bytes, answer: bytes) -> str | None:
    """What is wrong with `answer`, or None."""
    if not answer:
        return None  # dropped: not HTTP, or incomplete until connection_timeout
    head, _, body = answer.partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ")[1])
    except (IndexError, ValueError):
        return f"not an HTTP answer: {answer[:80]!r}"
    # Only the first answer: what a garbled request leaves over may be read as a second one.
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            body = body[:int(line.split(b":")[1])]
    if status >= 500 and status != 503:
        return f"{status} for {raw[:120]!r}: {body[:200]!r}"
    if status >= 400 and b"application/json" in head:
        try:
            document = json.loads(body)
            if status == 409 and "status" in document:
                return None  # a rejection: the decision itself (CONTRACT §5)
            error = document["error"]
            assert isinstance(error["code"], str) and isinstance(error["message"], str)
        except Exception:
            return f"{status} without the error shape for {raw[:120]!r}: {body[:200]!r}"
    return None


def worker(address: str, rng: random.Random, deadline: float) -> tuple[int, list[str]]:
    """Requests until `deadline`: how many, and what was wrong."""
    sent, problems = 0, []
    while time.monotonic() < deadline and len(problems) < 10:
        method, path, body = rng.choice(SEEDS)
        roll = rng.random()
        if roll < 0.6 and body is not None:
            # The body mutated, its length told right: the JSON and the fields are tried.
            raw = render(method, path, body, mutate(rng, json.dumps(body).encode()))
        elif roll < 0.9:
            raw = mutate(rng, render(method, path, body))
        else:
            raw = render(method, path, body)
        problem = check(raw, exchange(address, raw))
        if problem:
            problems.append(problem)
        sent += 1
    return sent, problems


def run(seconds: float, seed: int, workers: int = 8) -> int:
    problems: list[str] = []
    # A mutated request that stays incomplete is closed after connection_timeout (1s here), so
    # several clients keep the sidecar busy meanwhile.
    with Sexton("--coordinator-staging-window", "0s", "--limits-connection-timeout", "1s",
                env={"SEXTON_ADMIN_TOKEN": "fuzz-token"}) as sexton:
        deadline = time.monotonic() + seconds
        with ThreadPoolExecutor(workers) as pool:
            results = list(pool.map(lambda n: worker(sexton.api, random.Random(seed * 1000 + n), deadline), range(workers)))
        sent = sum(n for n, _ in results)
        problems = [p for _, found in results for p in found]
        if sexton.proc.poll() is not None:
            problems.append(f"the sidecar exited with {sexton.proc.returncode}")
        else:
            alive = exchange(sexton.telemetry, b"GET /livez HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n")
            if not alive.startswith(b"HTTP/1.1 200"):
                problems.append("/livez does not answer 200 after the run")
    print(f"fuzz_api: {sent} requests in {seconds:.0f} s, seed {seed}, {workers} clients: {len(problems)} problems")
    for problem in problems:
        print("  " + problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(run(float(sys.argv[1]) if len(sys.argv) > 1 else 20, int(sys.argv[2]) if len(sys.argv) > 2 else 1))
