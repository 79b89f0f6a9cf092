"""Departments by extension (the sample site's, config/site.yaml), and the extension a
channel name belongs to."""

from __future__ import annotations

import pytest

from acd.backoffice.directory import Departments, extension_of
from tests.unit.acd.rig import sample_site


@pytest.mark.parametrize(
    ("channel", "extension"),
    [
        ("PJSIP/301-0000002a", "301"),
        ("Local/321@kcc-internal-00000000;1", "321"),
        ("Local/321@kcc-internal-00000000;2", "321"),
        ("PJSIP/trunk-00000001", "trunk"),
        ("PJSIP/kpn-trunk-0000000c", "kpn-trunk"),
    ],
)
def test_extension_of_channel_names(channel: str, extension: str) -> None:
    assert extension_of(channel) == extension


def test_every_back_office_extension_names_its_department_and_fallback_time() -> None:
    site = sample_site()
    departments = Departments(site)
    for department in site.departments:
        for ext in department.extensions:
            assert ext.extension in departments
            assert departments.of(ext.extension) == department
            assert departments.department_of(ext.extension) == department.id
            assert departments.fallback_after_s(ext.extension) == department.fallback_after_s


def test_the_sample_sites_departments_by_extension() -> None:
    departments = Departments(sample_site())
    assert {e: departments.department_of(e) for e in ("301", "302", "311", "321")} == {
        "301": "burgerzaken",
        "302": "burgerzaken",
        "311": "belastingen",
        "321": "vergunningen",
    }
    assert departments.fallback_after_s("311") == 15.0  # the default: three Dutch rings


def test_a_tic_position_or_unknown_extension_is_no_back_office_extension() -> None:
    site = sample_site()
    departments = Departments(site)
    others = [p.extension for p in site.positions] + ["999"]
    assert others and all(e not in departments for e in others)
    assert all(departments.of(e) is None and departments.department_of(e) is None for e in others)
