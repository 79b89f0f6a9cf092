"""docker-compose.yml and deploy/ checked offline (no Docker engine runs here).

Each test reads the files as Docker would and checks what would otherwise only fail
on the server: missing build inputs, ports open beyond loopback, secrets in the repo,
and addresses that disagree with config/site.yaml.
"""

from __future__ import annotations

import fnmatch
import json
import posixpath
import re
import subprocess
import tomllib
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from kcc.cli import default_registry, main
from realtime_stats.prometheus.exporter import StatsExporter
from realtime_stats.wallboard.feed import InMemoryBoardFeed
from site_config import SiteConfig, load_site_config
from site_config.access import Role

REPO = Path(__file__).resolve().parents[3]
COMPOSE = REPO / "docker-compose.yml"
SERVICES = {"asterisk", "redis", "controller", "stats", "prometheus", "grafana"}
# Build inputs that are not in the repository: each is written by a kcc command
# (name, and the option whose default is that path) before `docker compose build`.
GENERATED = {"build/asterisk/etc": ("gen-asterisk", "out")}
# kcc subcommands docker-compose.yml runs that are still being written. When one is
# registered, test_compose_runs_existing_kcc_commands says to drop it from here.
PENDING_COMMANDS: set[str] = set()
SITE_IN_CONTAINER = "/etc/kcc/site.yaml"


def _load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = _load_yaml(COMPOSE)
    assert isinstance(data, dict), "docker-compose.yml is not a mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


@pytest.fixture(scope="module")
def site() -> SiteConfig:
    return load_site_config(REPO / "config" / "site.yaml")


def _mounts(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(source, target) of each short-syntax volume entry."""
    pairs = []
    for entry in service.get("volumes", []):
        source, target, *_ = str(entry).split(":")
        pairs.append((source, target))
    return pairs


def _dockerfile_copies(dockerfile: Path) -> list[str]:
    """Sources of every COPY/ADD from the build context (not --from= stages)."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text(encoding="utf-8"))
    sources = []
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].upper() not in {"COPY", "ADD"}:
            continue
        flags = [w for w in words[1:] if w.startswith("--")]
        if any(flag.startswith("--from=") for flag in flags):
            continue
        sources += [w for w in words[1:] if not w.startswith("--")][:-1]
    return sources


def _docker_ignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern matching the path or a parent folder decides."""
    parts = PurePosixPath(path.strip("/")).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for raw in patterns:
        negated = raw.startswith("!")
        pattern = raw.removeprefix("!").strip("/")
        if any(_pattern_matches(pattern, prefix) for prefix in prefixes):
            ignored = not negated
    return ignored


def _pattern_matches(pattern: str, path: str) -> bool:
    if pattern.startswith("**/"):
        segments = path.split("/")
        tail = pattern[3:]
        return any(fnmatch.fnmatchcase("/".join(segments[i:]), tail) for i in range(len(segments)))
    return path.count("/") == pattern.count("/") and fnmatch.fnmatchcase(path, pattern)


def _ignore_patterns(dockerfile: Path) -> list[str]:
    ignore = dockerfile.with_name(dockerfile.name + ".dockerignore")
    lines = ignore.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def _builds(services: dict[str, dict[str, Any]]) -> dict[str, tuple[Path, Path]]:
    found = {}
    for name, service in services.items():
        if "build" in service:
            context = REPO / service["build"]["context"]
            found[name] = (context, context / service["build"]["dockerfile"])
    return found


def test_compose_parses_with_the_expected_services(services: dict[str, Any]) -> None:
    assert set(services) == SERVICES


def test_builds_point_at_existing_dockerfiles(services: dict[str, dict[str, Any]]) -> None:
    builds = _builds(services)
    assert {"asterisk", "controller", "stats"} <= set(builds)
    for name, (context, dockerfile) in builds.items():
        assert context.is_dir(), f"{name}: build context {context} does not exist"
        assert dockerfile.is_file(), f"{name}: {dockerfile} does not exist"


def test_copy_sources_exist_and_reach_the_builder(services: dict[str, dict[str, Any]]) -> None:
    for name, (context, dockerfile) in _builds(services).items():
        patterns = _ignore_patterns(dockerfile)
        sources = _dockerfile_copies(dockerfile)
        assert sources, f"{dockerfile.name} copies nothing"
        for source in sources:
            relative = source.strip("/")
            assert relative in GENERATED or (context / relative).exists(), (
                f"{name}: COPY {source} is missing"
            )
            assert not _docker_ignored(relative, patterns), f"{name}: {source} is dockerignored"
        for secret in (".env", ".venv", ".git"):
            assert _docker_ignored(secret, patterns), f"{name}: {secret} reaches the builder"


def test_dockerignore_matcher_follows_docker_rules() -> None:
    patterns = ["*", "!build/asterisk/etc", "**/__pycache__"]
    assert _docker_ignored("build", patterns)
    assert not _docker_ignored("build/asterisk/etc/", patterns)
    assert not _docker_ignored("build/asterisk/etc/pjsip.conf", patterns)
    assert _docker_ignored("build/asterisk/etc/__pycache__/x", patterns)


def test_generated_inputs_come_from_a_kcc_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    registry = default_registry()
    monkeypatch.setenv("KCC_AMI_SECRET", "test-only-secret")
    for path, (command, option) in GENERATED.items():
        args = registry.build_parser().parse_args([command])
        assert getattr(args, option) == path, f"'kcc {command}' does not write {path}"
        out = tmp_path / command
        site = str(REPO / "config" / "site.yaml")
        assert main([command, "--site", site, f"--{option}", str(out)], registry=registry) == 0
        assert (out / "asterisk.conf").is_file() and (out / "manager.conf").is_file()
        ignored = subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO, check=False)
        assert ignored.returncode == 0, f"{path} holds secrets but git does not ignore it"
    capsys.readouterr()


def test_app_image_carries_every_python_package() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = {
        p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    }
    copied = {s.strip("/") for s in _dockerfile_copies(REPO / "deploy" / "app.Dockerfile")}
    assert packages <= copied


def test_bind_mounts_exist_in_the_repository(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for source, _ in _mounts(service):
            if source.startswith("./"):
                assert (REPO / source).exists(), f"{name}: bind mount {source} does not exist"


def test_depends_on_names_existing_services(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for needed in service.get("depends_on", []):
            assert needed in services, f"{name} depends on unknown service {needed!r}"


def port_problems(name: str, service: dict[str, Any]) -> list[str]:
    """Why a service's network setup could expose it beyond loopback."""
    problems = []
    host_network = service.get("network_mode") == "host"
    for entry in service.get("ports", []):
        if host_network:
            problems.append(f"{name}: ports are ignored under host networking: {entry}")
            continue
        host_ip = entry.get("host_ip") if isinstance(entry, dict) else str(entry).split(":")[0]
        if host_ip != "127.0.0.1" or (isinstance(entry, str) and entry.count(":") < 2):
            problems.append(f"{name}: port {entry} is not bound to 127.0.0.1")
    if not host_network and not service.get("ports") and "network_mode" in service:
        problems.append(f"{name}: network_mode {service['network_mode']} is not checked here")
    return problems


def test_no_port_is_open_beyond_loopback(services: dict[str, dict[str, Any]]) -> None:
    assert [p for name, svc in services.items() for p in port_problems(name, svc)] == []


def test_port_check_catches_open_ports() -> None:
    assert port_problems("x", {"ports": ["8023:8023", "127.0.0.1:9090:9090"]}) == [
        "x: port 8023:8023 is not bound to 127.0.0.1"
    ]
    assert port_problems("x", {"ports": [{"target": 80, "published": 80}]}) != []
    assert port_problems("x", {"network_mode": "host", "ports": ["127.0.0.1:1:1"]}) != []


def _flag(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_addresses_match_the_site_config(
    services: dict[str, dict[str, Any]], site: SiteConfig
) -> None:
    redis_url = urlparse(site.services.redis_url)
    redis = services["redis"]
    assert _flag(redis["command"], "--bind") == redis_url.hostname
    assert _flag(redis["command"], "--port") == str(redis_url.port)
    assert _flag(redis["healthcheck"]["test"], "-p") == str(redis_url.port)
    prometheus = _load_yaml(REPO / "deploy" / "prometheus.yml")
    stats_job = next(j for j in prometheus["scrape_configs"] if j["job_name"] == "kcc-stats")
    target = f"{site.services.http_bind_host}:{site.services.http_port}"
    assert stats_job["static_configs"][0]["targets"] == [target]
    controller_job = next(
        j for j in prometheus["scrape_configs"] if j["job_name"] == "kcc-controller"
    )
    target = f"{site.services.bind_host}:{site.services.control_port}"
    assert controller_job["static_configs"][0]["targets"] == [target]
    assert controller_job["basic_auth"] == stats_job["basic_auth"]


def test_monitoring_ports_do_not_clash_with_the_site(
    services: dict[str, dict[str, Any]], site: SiteConfig
) -> None:
    listen = next(a for a in services["prometheus"]["command"] if "--web.listen-address" in a)
    prometheus_port = int(listen.rsplit(":", 1)[1])
    grafana_port = int(services["grafana"]["environment"]["GF_SERVER_HTTP_PORT"])
    svc = site.services
    taken = {svc.sip_port, svc.ami_port, svc.agi_port, svc.http_port, urlparse(svc.redis_url).port}
    for port in (prometheus_port, grafana_port):
        assert port not in taken and not svc.rtp_port_start <= port <= svc.rtp_port_end
    assert listen.endswith("=127.0.0.1:9090")
    assert services["grafana"]["environment"]["GF_SERVER_HTTP_ADDR"] == "127.0.0.1"
    datasources = _load_yaml(REPO / "deploy/grafana/provisioning/datasources/prometheus.yml")
    assert datasources["datasources"][0]["url"] == f"http://127.0.0.1:{prometheus_port}"


def test_compose_runs_existing_kcc_commands(services: dict[str, dict[str, Any]]) -> None:
    registered = set(default_registry().names())
    for name, service in services.items():
        command = service.get("command", [])
        if command[:1] == ["kcc"]:
            sub = command[1]
            assert sub in registered | PENDING_COMMANDS, f"{name}: no command 'kcc {sub}'"
    done = PENDING_COMMANDS & registered
    assert not done, f"'kcc {done}' now exists: remove it from PENDING_COMMANDS"


def test_kcc_services_see_the_site_and_its_flow(
    services: dict[str, dict[str, Any]], site: SiteConfig
) -> None:
    flow_in_site = (REPO / "config" / "site.yaml").read_text(encoding="utf-8")
    relative_flow = re.search(r"flow_file:\s*(\S+)", flow_in_site)
    assert relative_flow is not None
    flow_target = posixpath.normpath(
        posixpath.join(posixpath.dirname(SITE_IN_CONTAINER), relative_flow.group(1))
    )
    for name in ("controller", "stats"):
        service = services[name]
        assert _flag(service["command"], "--site") == SITE_IN_CONTAINER
        mounts = {target: source for source, target in _mounts(service)}
        assert mounts[SITE_IN_CONTAINER] == "./config/site.yaml"
        hosts = [
            REPO / source / posixpath.relpath(flow_target, target)
            for target, source in mounts.items()
            if flow_target.startswith(target + "/")
        ]
        assert hosts and hosts[0].resolve() == site.ivr.flow_file, f"{name}: flow not mounted"
    for name in ("asterisk", "controller"):
        targets = {target for _, target in _mounts(services[name])}
        assert str(site.recording.directory) in targets, f"{name}: recordings not on a volume"


def test_secrets_come_from_an_env_file_outside_the_repository(
    compose: dict[str, Any],
) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z0-9_]+)", text))
    used |= {secret["environment"] for secret in compose["secrets"].values()}
    example = (REPO / ".env.example").read_text(encoding="utf-8")
    pairs = dict(re.findall(r"^([A-Z0-9_]+)=(.*)$", example, flags=re.MULTILINE))
    assert set(pairs) == used
    assert all(value.startswith("change-me") for value in pairs.values())
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", ".env"], cwd=REPO, capture_output=True, check=False
    )
    assert tracked.returncode != 0, ".env is committed: it holds the real secrets"
    for name, service in compose["services"].items():
        assert "env_file" not in service, f"{name}: env_file hands every secret to the service"


def test_prometheus_logs_in_as_a_metrics_user_with_a_password_file(
    services: dict[str, dict[str, Any]], site: SiteConfig
) -> None:
    prometheus = _load_yaml(REPO / "deploy" / "prometheus.yml")
    job = next(j for j in prometheus["scrape_configs"] if j["job_name"] == "kcc-stats")
    assert set(job) >= {"basic_auth"} and "authorization" not in job
    auth = job["basic_auth"]
    scrapers = {user.name for user in site.access.users if user.role is Role.METRICS}
    assert auth["username"] in scrapers and "password" not in auth
    secret = PurePosixPath(auth["password_file"])
    assert secret.parent == PurePosixPath("/run/secrets")
    assert secret.name in services["prometheus"]["secrets"]
    mounts = dict(_mounts(services["prometheus"]))
    assert mounts["./deploy/prometheus.yml"] == "/etc/prometheus/prometheus.yml"


def test_grafana_provisions_the_datasource_and_dashboards(
    services: dict[str, dict[str, Any]], site: SiteConfig
) -> None:
    base = REPO / "deploy" / "grafana"
    provider = _load_yaml(base / "provisioning" / "dashboards" / "kcc.yml")["providers"][0]
    mounts = dict(_mounts(services["grafana"]))
    assert mounts["./deploy/grafana/dashboards"] == provider["options"]["path"]
    uids = {
        d["uid"]
        for d in _load_yaml(base / "provisioning/datasources/prometheus.yml")["datasources"]
    }
    exporter = StatsExporter(site, version="test", redis_configured=True, feed=InMemoryBoardFeed())
    exported = exporter.render(None)[0].decode()
    names = {line.split()[2] for line in exported.splitlines() if line.startswith("# TYPE")}
    names |= {n + "_info" for n in names}
    dashboards = list((base / "dashboards").glob("*.json"))
    assert dashboards
    for path in dashboards:
        for panel in json.loads(path.read_text(encoding="utf-8"))["panels"]:
            for target in panel.get("targets", []):
                assert target["datasource"]["uid"] in uids, f"{path.name}: unknown datasource"
                for metric in re.findall(r"\bkcc_[a-z_]+", target["expr"]):
                    assert metric in names, f"{path.name}: {metric} is not exported"
