"""deploy/kubernetes: the example pod, its scraping and its PrometheusRule."""
import importlib.util
import re
import subprocess
import tempfile
from pathlib import Path, PurePosixPath

import pytest
import yaml

from promql import promtool
from sexton_process import binary

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "kubernetes"
TELEMETRY_PORT = 9477


def manifests() -> dict[str, dict]:
    """kind -> the one object of that kind listed by the kustomization."""
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    objects = {}
    for resource in kustomization["resources"]:
        for obj in yaml.safe_load_all((DEPLOY / resource).read_text()):
            assert obj["kind"] not in objects, f"one {obj['kind']} expected"
            objects[obj["kind"]] = obj
    return objects


@pytest.fixture(scope="module")
def objects():
    return manifests()


@pytest.fixture(scope="module")
def pod(objects):
    return objects["Deployment"]["spec"]["template"]


@pytest.fixture(scope="module")
def sexton(pod):
    spec = pod["spec"]
    (container,) = [c for c in spec.get("initContainers", []) + spec["containers"] if c["name"] == "sexton"]
    return container


@pytest.fixture(scope="module")
def config(objects):
    return yaml.safe_load(objects["ConfigMap"]["data"]["sexton.yaml"])


def test_kustomization_lists_every_manifest():
    listed = set(yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())["resources"])
    present = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == present


def test_the_kinds_an_example_needs_are_there(objects):
    assert set(objects) >= {"Deployment", "ConfigMap", "Secret", "Service", "PrometheusRule"}
    assert {"ServiceMonitor", "PodMonitor"} & set(objects)


def test_sexton_runs_before_the_application_and_beside_it(pod, sexton):
    if sexton in pod["spec"].get("initContainers", []):
        assert sexton["restartPolicy"] == "Always", "an init container must be a native sidecar"
    assert any(c["name"] != "sexton" for c in pod["spec"]["containers"]), "an application container"
    assert sexton["args"][0] == "serve"


def port_number(container: dict, port) -> int:
    if isinstance(port, int):
        return port
    (match,) = [p["containerPort"] for p in container["ports"] if p["name"] == port]
    return match


@pytest.mark.parametrize("probe, path", [("livenessProbe", "/livez"), ("readinessProbe", "/readyz"),
                                         ("startupProbe", None)])
def test_probes_are_on_the_telemetry_port(sexton, probe, path):
    get = sexton[probe]["httpGet"]
    assert port_number(sexton, get["port"]) == TELEMETRY_PORT
    assert get["path"] == path if path else get["path"] in ("/livez", "/readyz")


def test_every_container_has_requests_and_limits(pod):
    for container in pod["spec"].get("initContainers", []) + pod["spec"]["containers"]:
        for kind in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(container["resources"][kind]), container["name"]


def test_the_configuration_comes_from_the_config_map(objects, pod, sexton, config):
    config_path = PurePosixPath(sexton["args"][sexton["args"].index("--config") + 1])
    mounted = mount_of(pod, sexton, config_path)
    assert mounted["configMap"]["name"] == objects["ConfigMap"]["metadata"]["name"]
    assert config_path.name in objects["ConfigMap"]["data"]
    assert config["listen"]["telemetry"].endswith(f":{TELEMETRY_PORT}")
    assert config["listen"]["api"].startswith("127.0.0.1:"), "the API stays inside the pod"


def mount_of(pod: dict, container: dict, path: PurePosixPath) -> dict:
    """The pod volume mounted at a directory holding `path`."""
    (mount,) = [m for m in container["volumeMounts"] if path.parent == PurePosixPath(m["mountPath"])]
    (volume,) = [v for v in pod["spec"]["volumes"] if v["name"] == mount["name"]]
    return volume


def test_the_admin_token_comes_from_the_secret(objects, pod, sexton, config):
    secret = objects["Secret"]
    env = {e["name"]: e for e in sexton.get("env", [])}
    if "SEXTON_ADMIN_TOKEN" in env:
        reference = env["SEXTON_ADMIN_TOKEN"]["valueFrom"]["secretKeyRef"]
        name, key = reference["name"], reference["key"]
    else:
        token_file = PurePosixPath(config["admin"]["token_file"])
        name, key = mount_of(pod, sexton, token_file)["secret"]["secretName"], token_file.name
    assert name == secret["metadata"]["name"]
    assert key in secret.get("stringData", {}) | secret.get("data", {})


def test_service_and_monitor_scrape_the_telemetry_port(objects, pod):
    service = objects["Service"]
    labels = pod["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    (port,) = [p for p in service["spec"]["ports"] if p["port"] == TELEMETRY_PORT]
    monitor = objects.get("ServiceMonitor")
    if monitor:
        assert monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
        (endpoint,) = monitor["spec"]["endpoints"]
        assert endpoint["port"] == port["name"] and endpoint.get("path", "/metrics") == "/metrics"
        # The ServiceMonitor's job label is the Service's name; SextonDown selects job=~".*sexton.*".
        assert re.fullmatch(".*sexton.*", service["metadata"]["name"])


def load_generator():
    spec = importlib.util.spec_from_file_location("generate_prometheusrule", DEPLOY / "generate-prometheusrule.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_prometheus_rule_is_in_sync_with_alerts():
    assert (DEPLOY / "prometheusrule.yaml").read_text() == load_generator().render(), \
        "run python3 deploy/kubernetes/generate-prometheusrule.py"


def test_prometheus_rule_groups_pass_promtool(objects):
    rule = objects["PrometheusRule"]
    assert rule["apiVersion"] == "monitoring.coreos.com/v1"
    groups = rule["spec"]["groups"]
    alerts = [r["alert"] for g in groups for r in g["rules"]]
    assert "SextonDegraded" in alerts and "SextonUnhealthy" in alerts
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rules.yml"
        path.write_text(yaml.safe_dump({"groups": groups}))
        result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {sum(len(g['rules']) for g in groups)} rules found" in result.stdout


def test_the_example_configuration_passes_check_config(objects, tmp_path):
    """The ConfigMap's sexton.yaml is what the real binary accepts; only the token file, which
    the Secret provides in a pod, is pointed at a local stand-in."""
    token = tmp_path / "token"
    token.write_text("example-token\n")
    text = objects["ConfigMap"]["data"]["sexton.yaml"].replace("/var/run/secrets/sexton/token", str(token))
    assert str(token) in text, "the example no longer reads the token from the mounted Secret"
    path = tmp_path / "sexton.yaml"
    path.write_text(text)
    result = subprocess.run([binary(), "check-config", str(path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_sidecar_runs_the_image_make_image_builds(sexton):
    version = re.search(r'static let version = "(.+)"', (ROOT / "Sources/SextonTelemetry/BuildInfo.swift").read_text())
    assert sexton["image"] == f"localhost/sexton:{version.group(1)}"


def test_the_shared_variant_points_every_sidecar_at_one_store(objects, sexton):
    shared = DEPLOY / "shared"
    kustomization = yaml.safe_load((shared / "kustomization.yaml").read_text())
    assert "../" in kustomization["resources"]
    patch = yaml.safe_load((shared / "sexton-store.yaml").read_text())
    base = objects["Deployment"]
    assert (patch["kind"], patch["metadata"]["name"]) == ("Deployment", base["metadata"]["name"])
    (container,) = patch["spec"]["template"]["spec"]["initContainers"]
    assert container["name"] == sexton["name"]
    env = {e["name"]: e for e in container["env"]}
    assert env["SEXTON_STORE_BACKEND"]["value"] == "postgres"
    assert re.fullmatch(r"postgres://\w+@[\w.-]+:\d+/\w+", env["SEXTON_STORE_POSTGRES_URL"]["value"])
    # The replica is the pod; the password comes from the overlay's Secret, never the manifest.
    assert env["SEXTON_STORE_REPLICA"]["valueFrom"]["fieldRef"]["fieldPath"] == "metadata.name"
    reference = env["SEXTON_STORE_POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"]
    secrets = [yaml.safe_load((shared / r).read_text()) for r in kustomization["resources"] if r.endswith(".yaml")]
    (secret,) = [s for s in secrets if s["kind"] == "Secret" and s["metadata"]["name"] == reference["name"]]
    assert reference["key"] in secret["stringData"]
    # Each variable names a documented configuration key (or is the password's own variable).
    documented = {"SEXTON_" + key.upper().replace(".", "_")
                  for key in re.findall(r"^\| `(store\.[a-z_.]+)` \|", (ROOT / "docs/configuration.md").read_text(), re.M)}
    assert set(env) - {"SEXTON_STORE_POSTGRES_PASSWORD"} <= documented, documented
