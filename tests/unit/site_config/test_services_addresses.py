"""Each server of the backend has its own address; FastAGI's peers default to Asterisk's host."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from asterisk_conf.dialplan import agi_url
from site_config import SiteConfig, load_site_config
from site_config.services import Services

REPO = Path(__file__).resolve().parents[3]


def _site(**services: object) -> SiteConfig:
    site = load_site_config(REPO / "config" / "site.yaml")
    return site.model_copy(update={"services": Services.model_validate(services)})


def test_the_backend_servers_listen_on_loopback_even_when_asterisk_is_on_the_lan() -> None:
    services = Services.model_validate({"bind_host": "10.20.0.5"})
    assert services.bind_host == "10.20.0.5"
    assert services.agi_bind_host == "127.0.0.1"
    assert services.control_bind_host == "127.0.0.1"
    assert services.http_bind_host == "127.0.0.1"


def test_fastagi_peers_default_to_asterisks_host() -> None:
    assert Services().agi_peers == ("127.0.0.1",)
    lan = Services.model_validate({"bind_host": "10.20.0.5"})
    assert lan.agi_peers == ("10.20.0.5", "127.0.0.1")
    everywhere = Services.model_validate({"bind_host": "0.0.0.0"})
    assert everywhere.agi_peers == ("127.0.0.1",)
    listed = Services.model_validate({"agi_allowed_peers": ["10.20.0.7", "::1"]})
    assert listed.agi_peers == ("10.20.0.7", "::1")


@pytest.mark.parametrize("peers", [[], ["0.0.0.0"], ["::"], "127.0.0.1"])
def test_fastagi_peers_are_concrete_addresses(peers: object) -> None:
    with pytest.raises(ValidationError, match="non-empty list of IP addresses"):
        Services.model_validate({"agi_allowed_peers": peers})


def test_the_dialplan_dials_the_fastagi_address_not_asterisks() -> None:
    site = _site(bind_host="10.20.0.5", agi_bind_host="127.0.0.2", agi_port=4600)
    assert agi_url(site) == "agi://127.0.0.2:4600"
    assert agi_url(_site(agi_bind_host="::1")) == "agi://[::1]:4573"
