"""Each kind of bad input gets one line naming the file, the key and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from site_config import ConfigError, load_site_config

Data = dict[str, Any]
Edit = Callable[[Data], None]


def _set(*path: str | int, value: Any) -> Edit:
    def edit(data: Data) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return edit


def _both(first: Edit, second: Edit) -> Edit:
    def edit(data: Data) -> None:
        first(data)
        second(data)

    return edit


TOPICS = (
    "burgerzaken, belastingen, afval-openbare-ruimte, parkeren-vergunningen, bouwen-wonen, algemeen"
)

CASES: list[tuple[str, Edit, str]] = [
    (
        "unknown automatic recording mode",
        _set("recording", "automatic", value={"mode": "loud"}),
        "recording.automatic.mode: 'loud' is not allowed; "
        "allowed: 'none', 'all', 'share', 'topics' or 'agents'",
    ),
    (
        "topics mode without topics",
        _set("recording", "automatic", value={"mode": "topics"}),
        "recording.automatic: {'mode': 'topics'} is not allowed; "
        "allowed: mode 'topics' needs at least one topic in 'topics'",
    ),
    (
        "automatic recording of an unknown topic",
        _set("recording", "automatic", value={"mode": "topics", "topics": ["paspoort"]}),
        f"recording.automatic.topics[0]: unknown topic 'paspoort'; "
        f"allowed: a topic id from topics: {TOPICS}",
    ),
    (
        "coaching period of an unknown agent",
        _set(
            "recording",
            "automatic",
            value={"mode": "agents", "agents": [{"agent_id": "9999", "until": "2026-12-31"}]},
        ),
        "recording.automatic.agents[0].agent_id: unknown agent '9999'; "
        "allowed: an agent id from agents: 1001, 1002, 1003, 1004, 1005",
    ),
    (
        "a share of no calls",
        _set("recording", "automatic", value={"mode": "share", "share_percent": 0}),
        "recording.automatic.share_percent: 0 is not allowed; "
        "allowed: a whole number from 1 to 100 percent",
    ),
    (
        "an unknown kind of QA item",
        _set("recording", "qa_forms", 0, "groups", 0, "items", 0, "kind", value="stars"),
        "recording.qa_forms[0].groups[0].items[0].kind: 'stars' is not allowed; "
        "allowed: 'score' or 'yes_no'",
    ),
    (
        "bad id",
        _set("topics", 2, "id", value="Burger Zaken"),
        "topics[2].id: 'Burger Zaken' is not allowed; "
        "allowed: lowercase letters, digits and '-' (1-32 chars)",
    ),
    (
        "unknown agent topic",
        _set("agents", 1, "topics", value=["burgerzaken", "paspoort"]),
        f"agents[1].topics[1]: unknown topic 'paspoort'; allowed: a topic id from topics: {TOPICS}",
    ),
    (
        "duplicate extension",
        _both(
            _set("departments", 1, "extensions", 0, "extension", value="202"),
            _set("access", "users", 10, "extension", value="202"),  # its colleague's login
        ),
        "departments[1].extensions[0].extension: '202' is already used at "
        "positions[1].extension; "
        "allowed: each extension only once across positions and back office",
    ),
    (
        "bad timezone",
        _set("timezone", value="Europe/Haarlem"),
        "timezone: 'Europe/Haarlem' is not a known time zone; "
        "allowed: an IANA time zone name such as 'Europe/Amsterdam'",
    ),
    (
        "camp-on time too short",
        _set("departments", 0, "camp_on_after_s", value=10),
        "departments[0].camp_on_after_s: 10 is not allowed; "
        "allowed: a whole number from 30 to 1800 seconds",
    ),
    (
        "port out of range",
        _set("services", "sip_port", value=70000),
        "services.sip_port: 70000 is not allowed; allowed: a whole number from 1 to 65535",
    ),
    (
        "port as text",
        _set("services", "ami_port", value="5038"),
        "services.ami_port: '5038' is not allowed; allowed: a whole number from 1 to 65535",
    ),
    (
        "bad bind host",
        _set("services", "bind_host", value="http://localhost"),
        "services.bind_host: 'http://localhost' is not allowed; "
        "allowed: an IP address or host name, e.g. '127.0.0.1' or '::1'",
    ),
    (
        "wildcard FastAGI address (the dialplan dials it)",
        _set("services", "agi_bind_host", value="0.0.0.0"),
        "services.agi_bind_host: '0.0.0.0' is not allowed; allowed: one IP address or host "
        "name, e.g. '127.0.0.1' or '::1' (not a wildcard like 0.0.0.0)",
    ),
    (
        "FastAGI peers not a list",
        _set("services", "agi_allowed_peers", value="127.0.0.1"),
        "services.agi_allowed_peers: '127.0.0.1' is not allowed; allowed: a non-empty list "
        "of IP addresses or host names, e.g. ['127.0.0.1'] (no wildcard)",
    ),
    (
        "FastAGI peer that is not an address",
        _set("services", "agi_allowed_peers", value=["127.0.0.1", "asterisk host"]),
        "services.agi_allowed_peers: 'asterisk host' is not allowed; allowed: a non-empty list "
        "of IP addresses or host names, e.g. ['127.0.0.1'] (no wildcard)",
    ),
    (
        "rtp range reversed",
        _set("services", "rtp_port_end", value=19000),
        "services.rtp_port_end: 19000 is not above rtp_port_start 20000; "
        "allowed: a port higher than services.rtp_port_start",
    ),
    (
        "bad norm",
        _set("norms", "target", value=1.5),
        "norms.target: 1.5 is not allowed; "
        "allowed: a number greater than 0 and at most 1 (e.g. 0.8 for 80%)",
    ),
    (
        "norm as boolean",
        _set("norms", "answer_within_s", value=True),
        "norms.answer_within_s: True is not allowed; allowed: a whole number from 1 to 600 seconds",
    ),
    (
        "callback notes due after no working day",
        _set("norms", "callback_within_working_days", value=0),
        "norms.callback_within_working_days: 0 is not allowed; "
        "allowed: a whole number from 1 to 10 working days",
    ),
    (
        "callback notes kept less than a week",
        _set("callback_notes", "retention_days", value=3),
        "callback_notes.retention_days: 3 is not allowed; "
        "allowed: a whole number from 7 to 3650 days",
    ),
    (
        "unknown callback notes key",
        _set("callback_notes", "keep_numbers", value=True),
        "callback_notes.keep_numbers: unknown key; allowed: retention_days",
    ),
    (
        "unknown key",
        _set("topics", 0, "colour", value="red"),
        "topics[0].colour: unknown key; allowed: id, name, explanation, self_handling_target, "
        "overflow_after_s",
    ),
    (
        "unknown weekday",
        _set("municipalities", 0, "opening_hours", "monday", value=["08:00-17:00"]),
        "municipalities[0].opening_hours.monday: unknown key; "
        "allowed: mon, tue, wed, thu, fri, sat, sun",
    ),
    (
        "unquoted extension",
        _set("positions", 0, "extension", value=201),
        "positions[0].extension: 201 (a number; put it in quotes) is not allowed; "
        "allowed: 1-10 digits in quotes, e.g. '201' (unquoted, YAML drops leading zeros)",
    ),
    (
        "bad sip_md5",
        _set("positions", 3, "sip_md5", value="demo204"),
        "positions[3].sip_md5: 'demo204' is not allowed; "
        "allowed: exactly 32 hexadecimal digits (0-9, a-f)",
    ),
    (
        "bad token hash",
        _set("access", "display_tokens", 0, "token_sha256", value="ab" * 31),
        f"access.display_tokens[0].token_sha256: '{'ab' * 31}' is not allowed; "
        "allowed: exactly 64 hexadecimal digits (0-9, a-f)",
    ),
    (
        "clear-text password",
        _set("access", "users", 0, "password_hash", value="demo-floor"),
        "access.users[0].password_hash: not a valid password hash: not in the form "
        "scrypt$n$r$p$salt_b64$hash_b64; "
        "allowed: a hash from 'kcc hash-password' (scrypt$n$r$p$salt_b64$hash_b64)",
    ),
    (
        "bad role",
        _set("access", "users", 1, "role", value="boss"),
        "access.users[1].role: 'boss' is not allowed; "
        "allowed: agent, back_office, floor_manager, team_lead, metrics, admin",
    ),
    (
        "no positions",
        _set("positions", value=[]),
        "positions: an empty list is not allowed; allowed: at least 1 entry",
    ),
    (
        "unknown general topic",
        _set("ivr", "general_topic", value="overig"),
        f"ivr.general_topic: unknown topic 'overig'; allowed: a topic id from topics: {TOPICS}",
    ),
    (
        "reversed opening hours",
        _set("municipalities", 1, "opening_hours", "fri", value=["17:00-08:00"]),
        "municipalities[1].opening_hours.fri[0]: '17:00-08:00' is not allowed; allowed: "
        "'HH:MM-HH:MM' in quotes with the start before the end, e.g. '08:00-17:00'",
    ),
    (
        "duplicate agent id",
        _both(
            _set("agents", 4, "id", value="1001"),
            lambda data: data["access"]["users"].pop(7),  # agent 1005's own login
        ),
        "agents[4].id: '1001' is already used at agents[0].id; "
        "allowed: each id only once within agents",
    ),
    (
        "agent login without its agent",
        lambda data: data["access"]["users"][3].pop("agent_id"),
        "access.users[3]: agent_id is missing; allowed: agent_id for a user with role agent",
    ),
    (
        "floor manager bound to an agent",
        _set("access", "users", 0, "agent_id", value="1001"),
        "access.users[0]: agent_id is set for role floor_manager; "
        "allowed: agent_id only for a user with role agent",
    ),
    (
        "login for an unknown agent",
        _set("access", "users", 3, "agent_id", value="1999"),
        "access.users[3].agent_id: unknown agent id '1999'; "
        "allowed: an agent id from agents: 1001, 1002, 1003, 1004, 1005",
    ),
    (
        "two logins for one agent",
        _set("access", "users", 4, "agent_id", value="1001"),
        "access.users[4].agent_id: '1001' is already used at access.users[3].agent_id; "
        "allowed: each agent id for one user only",
    ),
    (
        "back-office login at a TIC position",
        _set("access", "users", 8, "extension", value="201"),
        "access.users[8].extension: unknown extension '201'; "
        "allowed: an extension from departments[].extensions: 301, 302, 311, 321",
    ),
    (
        "agent without the PIN the site requires",
        lambda data: data["agents"][2].pop("pin_hash"),
        "agents[2].pin_hash: agent 1003 has no PIN; "
        "allowed: a hash from 'kcc hash-pin', because access.phone_pin_required is true",
    ),
    (
        "clear-text PIN",
        _set("agents", 0, "pin_hash", value="9001"),
        "agents[0].pin_hash: not a valid password hash: not in the form "
        "scrypt$n$r$p$salt_b64$hash_b64; "
        "allowed: a hash from 'kcc hash-pin' (scrypt$n$r$p$salt_b64$hash_b64)",
    ),
    (
        "carrier address that is not an address",
        _set("trunk", value={"carrier_addresses": ["carrier.example"]}),
        "trunk.carrier_addresses[0]: 'carrier.example' is not allowed; allowed: "
        "an IP address or network in CIDR form with no host bits set, e.g. '192.0.2.10' or "
        "'198.51.100.0/28' (not a catch-all such as '0.0.0.0/0')",
    ),
    (
        "carrier network with host bits",
        _set("trunk", value={"carrier_addresses": ["192.0.2.10", "198.51.100.7/28"]}),
        "trunk.carrier_addresses[1]: '198.51.100.7/28' is not allowed; allowed: "
        "an IP address or network in CIDR form with no host bits set, e.g. '192.0.2.10' or "
        "'198.51.100.0/28' (not a catch-all such as '0.0.0.0/0')",
    ),
    (
        "carrier catch-all",
        _set("trunk", value={"carrier_addresses": ["0.0.0.0/0"]}),
        "trunk.carrier_addresses[0]: '0.0.0.0/0' would make every address the carrier; "
        "allowed: an IP address or network in CIDR form with no host bits set, e.g. "
        "'192.0.2.10' or '198.51.100.0/28' (not a catch-all such as '0.0.0.0/0')",
    ),
    (
        "carrier address twice",
        _set("trunk", value={"carrier_addresses": ["192.0.2.10", "192.0.2.10"]}),
        "trunk.carrier_addresses: 192.0.2.10 listed twice; allowed: each address once",
    ),
    (
        "topic explanation over two lines",
        _set("topics", 0, "explanation", value="paspoort\nexten => 9,1,Dial(PJSIP/201)"),
        "topics[0].explanation: 'paspoort\\nexten => 9,1,Dial(PJSIP/201)' contains a line "
        "break or control character ('\\n'); "
        "allowed: non-empty text on one line of at most 200 characters",
    ),
    (
        "caller-id name that ends the display name",
        _set("departments", 0, "extensions", 0, "name", value='Els" <201>'),
        "departments[0].extensions[0].name: 'Els\" <201>' contains '\"'; allowed: non-empty "
        'text on one line of at most 80 characters, without ; " < > \\ [ ]',
    ),
    (
        "caller-id name with a comment",
        _set("departments", 0, "extensions", 1, "name", value="Team; Basis"),
        "departments[0].extensions[1].name: 'Team; Basis' contains ';'; allowed: non-empty "
        'text on one line of at most 80 characters, without ; " < > \\ [ ]',
    ),
    (
        "recording folder a shell would split",
        _set("recording", "directory", value="/var/lib/kcc/opnames; rm -rf ~"),
        "recording.directory: '/var/lib/kcc/opnames; rm -rf ~' is not allowed; allowed: "
        "an absolute folder path of letters, digits, '.', '_', '-' and '/', "
        "e.g. /var/lib/kcc/recordings",
    ),
    (
        "maximum wait too short",
        _set("norms", value={"max_wait_s": 30}),
        "norms.max_wait_s: 30 is not allowed; allowed: a whole number from 60 to 7200 seconds",
    ),
    (
        "missing key",
        lambda data: data["topics"][0].pop("explanation"),
        "topics[0].explanation: required key is missing; allowed: add it (see docs/site-config.md)",
    ),
]


@pytest.mark.parametrize(("edit", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_value_is_named_exactly(
    sample_data: Data, write_site: Callable[[Data], Path], edit: Edit, message: str
) -> None:
    edit(sample_data)
    path = write_site(sample_data)
    with pytest.raises(ConfigError) as caught:
        load_site_config(str(path))
    assert str(caught.value) == f"{path}: {message}"
    assert caught.value.file == str(path)


@pytest.mark.parametrize(
    ("edit", "allowed"),
    [
        (
            _set(
                "recording", "qa_forms", 0, "thresholds",
                value=[
                    {"min": 60, "colour": "orange", "label": "x"},
                    {"min": 80, "colour": "green", "label": "y"},
                    {"min": 0, "colour": "red", "label": "z"},
                ],
            ),
            "allowed: thresholds must go from the highest 'min' down, each once",
        ),
        (
            _set(
                "recording", "qa_forms", 0, "thresholds",
                value=[{"min": 50, "colour": "green", "label": "y"}],
            ),
            "allowed: the last threshold must start at min 0, so every score has one",
        ),
        (
            _set(
                "recording", "qa_forms", 0, "groups", 1, "items",
                value=[{"id": "vraag", "text": "Nog eens"}],
            ),
            "allowed: item ids must be unique within a form: vraag",
        ),
    ],
)  # fmt: skip
def test_a_qa_form_that_cannot_grade_is_refused(
    sample_data: Data, write_site: Callable[[Data], Path], edit: Edit, allowed: str
) -> None:
    edit(sample_data)
    path = write_site(sample_data)
    with pytest.raises(ConfigError) as caught:
        load_site_config(str(path))
    assert str(caught.value).startswith(f"{path}: recording.qa_forms[0]: ")
    assert str(caught.value).endswith(allowed)


def test_all_peak_positions_refused(sample_data: Data, write_site: Callable[[Data], Path]) -> None:
    for position in sample_data["positions"]:
        position["peak"] = True
    path = write_site(sample_data)
    with pytest.raises(ConfigError, match="positions: every position is a peak position"):
        load_site_config(path)


def test_several_problems_reported_at_once(
    sample_data: Data, write_site: Callable[[Data], Path]
) -> None:
    _set("topics", 2, "id", value="Burger Zaken")(sample_data)
    _set("services", "http_port", value=0)(sample_data)
    _set("recording", "directory", value="recordings")(sample_data)
    path = write_site(sample_data)
    with pytest.raises(ConfigError) as caught:
        load_site_config(path)
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[1] for line in lines] == [
        "topics[2].id",
        "recording.directory",
        "services.http_port",
    ]
    assert all(line.startswith(f"{path}: ") for line in lines)
    assert len(caught.value.problems) == 3


def test_the_file_name_is_shown_as_given(
    sample_data: Data, write_site: Callable[[Data], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    _set("norms", "max_occupancy", value=0)(sample_data)
    path = write_site(sample_data)
    monkeypatch.chdir(path.parent.parent)
    with pytest.raises(ConfigError) as caught:
        load_site_config("config/site.yaml")
    assert str(caught.value).startswith("config/site.yaml: norms.max_occupancy: 0 is not allowed")


def test_menu_of_more_than_five_topics(
    sample_data: Data, write_site: Callable[[Data], Path]
) -> None:
    extra = dict(sample_data["topics"][0], id="sociale-zaken", name="Sociale zaken")
    sample_data["topics"].append(extra)
    path = write_site(sample_data)
    with pytest.raises(ConfigError, match="topics: 6 menu topics besides the general topic"):
        load_site_config(path)
    sample_data["ivr"]["topic_menu_enabled"] = False
    assert len(load_site_config(write_site(sample_data)).topics) == 7


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
