"""The carrier's addresses: what the trunk section accepts and what identify matches."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from site_config import Trunk


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("192.0.2.10", "192.0.2.10"),
        ("198.51.100.0/28", "198.51.100.0/28"),
        ("2001:db8::1", "2001:db8::1"),
        ("2001:DB8:0::/48", "2001:db8::/48"),
        ("192.0.2.10/32", "192.0.2.10/32"),
    ],
)
def test_addresses_and_networks_are_accepted_in_asterisks_spelling(given: str, kept: str) -> None:
    assert Trunk(carrier_addresses=(given,)).carrier_addresses == (kept,)


@pytest.mark.parametrize("bad", ["::/0", "0.0.0.0/0", "10.0.0.1/8", "host", "1.2.3.4 ", 5060])
def test_catch_alls_host_bits_names_and_numbers_are_refused(bad: object) -> None:
    with pytest.raises(ValidationError, match="carrier_addresses"):
        Trunk.model_validate({"carrier_addresses": [bad]})


def test_without_addresses_the_bind_address_is_the_carrier() -> None:
    assert Trunk().addresses("127.0.0.1") == ("127.0.0.1",)
    assert Trunk(carrier_addresses=("192.0.2.10",)).addresses("127.0.0.1") == ("192.0.2.10",)
