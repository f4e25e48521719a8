"""docs/openapi.yaml against the real binary: schemathesis (examples, coverage, fuzzing and
stateful phases, every check) finds no undocumented answer, and every route is documented."""
import re
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "monitoring"))
from sexton_process import Sexton  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
SPEC = ROOT / "docs" / "openapi.yaml"
TOKEN = "openapi-Token.1"


def test_schemathesis_finds_nothing_undocumented():
    # A batch of 1001 operations must reach the batch rule (400), not the body limit (413).
    with Sexton("--limits-max-body-bytes", "16777216", env={"SEXTON_ADMIN_TOKEN": TOKEN}) as sexton:
        run = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "--config-file", str(HERE / "schemathesis.toml"),
             "run", str(SPEC), "--url", f"http://{sexton.api}", "-H", f"Authorization: Bearer {TOKEN}",
             "--max-examples", "60", "--seed", "1", "--generation-database", "none", "--no-color",
             "--output-truncate", "true"],
            capture_output=True, text=True, timeout=900,
            env={"SCHEMATHESIS_HOOKS": str(HERE / "schemathesis_hooks.py"), "PATH": "/usr/bin:/bin"})
        assert sexton.proc.poll() is None, "the sidecar died under schemathesis"
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "Stateful" in run.stdout and "API Links" in run.stdout, run.stdout[-3000:]


def routes_in_source() -> set[tuple[str, str]]:
    routes = set()
    for source in (ROOT / "Sources" / "SextonSidecar" / "API").glob("*Routes.swift"):
        for method, path in re.findall(r'router\.add(?:Deferred)?\(\.(\w+), "([^"]+)"', source.read_text()):
            routes.add((method.lower(), path))
    return routes


def test_every_route_of_the_api_listener_is_documented_and_nothing_else():
    spec = yaml.safe_load(SPEC.read_text())
    documented = {(method, path) for path, item in spec["paths"].items() for method in item if method != "parameters"}
    assert routes_in_source(), "no routes found in the sources"
    assert documented == routes_in_source()


def test_every_error_code_the_sidecar_answers_is_in_the_error_schema():
    spec = yaml.safe_load(SPEC.read_text())
    codes = set(spec["components"]["schemas"]["Error"]["properties"]["code"]["enum"])
    source = (ROOT / "Sources" / "SextonSidecar" / "API" / "APIError.swift").read_text()
    enum = source.split("enum APIErrorCode", 1)[1].split("}", 1)[0]
    answered = {raw or name for name, raw in re.findall(r'case (\w+)(?: = "(\w+)")?', enum)}
    assert answered and answered <= codes, answered - codes
