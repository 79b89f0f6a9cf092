"""A site file that cannot be read as one: unusable YAML, a missing file or flow, not UTF-8."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from site_config import ConfigError, load_site_config
from tests.unit.kcc.site_edits import Data, set_at


def test_the_file_name_is_shown_as_given(
    sample_data: Data, write_site: Callable[[Data], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    set_at("norms", "max_occupancy", value=0)(sample_data)
    path = write_site(sample_data)
    monkeypatch.chdir(path.parent.parent)
    with pytest.raises(ConfigError) as caught:
        load_site_config("config/site.yaml")
    assert str(caught.value).startswith("config/site.yaml: norms.max_occupancy: 0 is not allowed")


def test_missing_flow_file(site_dir: Path, site_path: Path) -> None:
    flow = site_dir / "ivr_flows" / "flows" / "14023.yaml"
    flow.unlink()
    with pytest.raises(ConfigError) as caught:
        load_site_config(site_path)
    assert str(caught.value) == (
        f"{site_path}: ivr.flow_file: '../ivr_flows/flows/14023.yaml' is not allowed "
        f"({flow} does not exist); allowed: an existing IVR flow file; "
        "a relative path is relative to the config file's folder"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "name: x\ntopics:\n  - id: a\n   name: b\n",
            "line 4, column 4: YAML syntax error: while parsing a block collection "
            "expected <block end>, but found '<block mapping start>'; "
            "allowed: valid YAML (check indentation, quotes and the ':' after each key)",
        ),
        (
            'name: "KCC\ntimezone: Europe/Amsterdam\n',
            "line 3, column 1: YAML syntax error: while scanning a quoted scalar "
            "found unexpected end of stream; "
            "allowed: valid YAML (check indentation, quotes and the ':' after each key)",
        ),
        (
            "name: a\ntimezone: Europe/Amsterdam\nname: b\n",
            "line 3, column 1: duplicate key 'name'; allowed: each key once per mapping",
        ),
        (
            "",
            "(top level): the file is empty; "
            "allowed: a YAML mapping with name, timezone, municipalities, topics, ...",
        ),
        (
            "source_path: /etc\n",
            "source_path: unknown key (it is set from where the file is read); "
            "allowed: leave it out",
        ),
        # Found by the property tests: these escaped as a bare ValueError or TypeError.
        (
            "name: " + "1" * 5000 + "\n",
            "line 1, column 7: YAML syntax error: a number of 5000 characters is too long; "
            "allowed: valid YAML (check indentation, quotes and the ':' after each key)",
        ),
        (
            "? [a, b]\n: 1\n",
            "line 1, column 3: YAML syntax error: while reading a mapping a key must be plain "
            "text, not a list; "
            "allowed: valid YAML (check indentation, quotes and the ':' after each key)",
        ),
    ],
    ids=[
        "indentation",
        "unclosed-quote",
        "duplicate-key",
        "empty",
        "source-path",
        "long-number",
        "list-key",
    ],
)
def test_unusable_yaml(site_path: Path, text: str, message: str) -> None:
    site_path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_site_config(site_path)
    assert str(caught.value) == f"{site_path}: {message}"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    assert str(caught.value) == (
        f"{path}: (file): cannot read the file: No such file or directory; "
        "allowed: the path of a readable YAML file"
    )


def test_not_utf8(site_path: Path) -> None:
    site_path.write_bytes(b"name: caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8 text"):
        load_site_config(site_path)


def test_a_key_with_a_control_character_stays_on_its_own_line(site_path: Path) -> None:
    # Found by the property tests: a key holding "\r" split the one-line message apart.
    site_path.write_text('"\\rname": x\n', encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_site_config(site_path)
    lines = str(caught.value).split("\n")
    assert len(lines) == len(caught.value.problems)
    assert f"{site_path}: \\rname: unknown key" in str(caught.value)
    assert all(line.isprintable() for line in lines)
