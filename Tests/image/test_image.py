"""The container image `make image` builds (SEXTON_IMAGE names it): its configuration, what is in
it and what is not, and the sidecar run from it with buildah (chroot isolation, host network, as
no container daemon runs here), answering its probes with promtool-clean metrics."""
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "monitoring"))
from sexton_process import Sexton  # noqa: E402

IMAGE = os.environ["SEXTON_IMAGE"]
BUILDAH = ["buildah", "--storage-driver", "vfs"]


def buildah(*args: str) -> str:
    return subprocess.run([*BUILDAH, *args], check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def container():
    name = buildah("from", "--pull-never", IMAGE)
    try:
        yield name
    finally:
        buildah("rm", name)


@pytest.fixture(scope="module")
def root(container):
    path = Path(buildah("mount", container))
    try:
        yield path
    finally:
        buildah("umount", container)


@pytest.fixture(scope="module")
def config():
    return json.loads(buildah("inspect", "--type", "image", IMAGE))["OCIv1"]["config"]


def run_in(container: str) -> list[str]:
    return [*BUILDAH, "run", "--isolation", "chroot", "--network", "host", container, "--", "/usr/local/bin/sexton"]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_entrypoint_user_ports_and_labels(config, container):
    assert config["Entrypoint"] == ["/usr/local/bin/sexton"]
    assert config["Cmd"] == ["serve"]
    assert config["User"] == "65532:65532"
    assert set(config["ExposedPorts"]) == {"9477/tcp", "7477/tcp"}
    labels = config["Labels"]
    assert labels["org.opencontainers.image.source"].startswith("https://")
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    printed = subprocess.run([*run_in(container), "version"], check=True, capture_output=True, text=True).stdout
    assert printed.startswith(f"sexton {labels['org.opencontainers.image.version']} ")
    assert IMAGE.endswith(":" + labels["org.opencontainers.image.version"])


def test_holds_the_binary_its_libraries_and_certificates_only(root):
    assert (root / "usr/local/bin/sexton").stat().st_mode & 0o111
    assert (root / "etc/ssl/certs/ca-certificates.crt").read_text().count("BEGIN CERTIFICATE") > 50
    for absent in ("bin/sh", "usr/bin/sh", "bin/bash", "usr/bin/apt", "usr/bin/dpkg", "usr/bin/env"):
        assert not (root / absent).exists(), absent
    # Every file is the binary, a shared library, or metadata a scanner or the loader reads.
    metadata = ("etc/", "usr/share/doc/", "var/lib/dpkg/status.d/")
    for path in root.rglob("*"):
        relative = str(path.relative_to(root))
        if path.is_dir() or relative == "usr/local/bin/sexton" or relative.startswith(metadata):
            continue
        assert ".so" in path.name, f"unexpected file {relative}"
    # Each Debian package a file came from is declared, with its copyright.
    packages = {p.name for p in (root / "var/lib/dpkg/status.d").iterdir()}
    assert {"libc6", "libmicrohttpd12", "ca-certificates"} <= packages
    for package in packages:
        status = (root / "var/lib/dpkg/status.d" / package).read_text()
        assert f"Package: {package}\n" in status and "\nVersion: " in status
        assert (root / "usr/share/doc" / package / "copyright").is_file()
    assert "nonroot:x:65532:65532:" in (root / "etc/passwd").read_text()


def test_serves_from_the_image_as_the_non_root_user(container):
    with Sexton(command=run_in(container)) as sexton:
        assert get(f"http://{sexton.telemetry}/readyz")[0] == 200
        assert get(f"http://{sexton.telemetry}/livez")[0] == 200
        status, metrics = get(f"http://{sexton.telemetry}/metrics")
        assert status == 200
        checked = subprocess.run(["promtool", "check", "metrics"], input=metrics, capture_output=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        assert b"sexton_build_info{" in metrics
        status, body = get(f"http://{sexton.api}/v1/targets/image-test")
        assert status == 200, body
        port = sexton.telemetry.rsplit(":", 1)[1]
        (uid,) = {uid_of(pid) for pid in pids_of("/usr/local/bin/sexton serve") if listens(pid, int(port))}
        assert uid == 65532


def pids_of(command: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().replace(b"\0", b" ").startswith(command.encode()):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def uid_of(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for {pid}")


def listens(pid: int, port: int) -> bool:
    """Whether the process holds the listening socket on `port` (its inode in /proc/net/tcp)."""
    inodes = {line.split()[9] for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
              if line.split()[1].endswith(f":{port:04X}") and line.split()[3] == "0A"}
    fds = Path(f"/proc/{pid}/fd")
    return any(os.readlink(fd) in {f"socket:[{i}]" for i in inodes} for fd in fds.iterdir())
