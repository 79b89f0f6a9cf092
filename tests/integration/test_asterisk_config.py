"""The generated configuration loads cleanly in the real Asterisk 22."""

from __future__ import annotations

import re

import redis

from asterisk_conf.static import CONTROLLER_WRITE, MODULES
from kcc.stack.asterisk import Asterisk
from kcc.stack.redis import RedisServer
from site_config import SiteConfig
from tests.integration.ami_watch import AmiWatch, Command


def test_asterisk_is_version_22(ami: AmiWatch) -> None:
    assert re.search(r"Asterisk 22\.\d+", ami.command("core show version"))


# Logged by design while a test has stopped or killed the controller: the dialplan
# then takes the app_queue fallback. Anything else is a fault.
_CONTROLLER_DOWN = ("res_agi.c", "FastAGI")


def test_no_configuration_error_or_warning_in_the_log(asterisk: Asterisk) -> None:
    faults = [
        line for line in asterisk.log_errors() if not any(k in line for k in _CONTROLLER_DOWN)
    ]
    assert faults == []


def test_every_module_we_rely_on_is_running(ami: AmiWatch) -> None:
    out = ami.command("module show")
    running = {m.group(1) for m in re.finditer(r"^(\S+\.so)\s.*\bRunning\b", out, re.M)}
    missing = sorted(set(MODULES) - running)
    assert missing == [], f"modules not running: {missing}"
    # and nothing we did not ask for (autoload is off)
    assert running <= set(MODULES), sorted(running - set(MODULES))


def test_dialplan_queues_and_endpoints_match_the_site(ami: AmiWatch, site: SiteConfig) -> None:
    queues = ami.command("queue show")
    for topic in site.topics:
        assert f"kcc-{topic.id} has 0 calls" in queues
    endpoints = ami.command("pjsip show endpoints")
    for position in site.positions:
        assert re.search(rf"Endpoint:\s+{position.extension}/", endpoints)
    dialplan = ami.command(f"dialplan show {site.public_number}@kcc-trunk")
    assert "AGI(${KCC_AGI}/ivr)" in dialplan


def test_manager_listens_on_loopback_only(ami: AmiWatch, site: SiteConfig) -> None:
    settings = ami.command("manager show settings")
    assert re.search(
        rf"TCP Bindaddress:\s+{re.escape(site.services.bind_host)}:{site.services.ami_port}",
        settings,
    ), settings


def test_the_controllers_ami_user_holds_no_shell(
    ami: AmiWatch, site: SiteConfig, ami_secret: str
) -> None:
    svc = site.services
    shown = ami.command(f"manager show user {svc.ami_username}")
    write = re.search(r"write perm:\s*(\S+)", shown)
    assert write is not None, shown
    assert set(write.group(1).split(",")) == set(CONTROLLER_WRITE), shown
    with AmiWatch(svc.bind_host, svc.ami_port, svc.ami_username, ami_secret) as controller:
        (reply,) = controller.action(Command(command="core show version"))
    assert (reply["Response"], reply.get("Message")) == ("Error", "Permission denied")


def test_redis_server_runs_on_its_own_port(redis_server: RedisServer) -> None:
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.ping()
        assert client.config_get("bind")["bind"] == "127.0.0.1"
        assert int(client.config_get("port")["port"]) == redis_server.port
    finally:
        client.close()
