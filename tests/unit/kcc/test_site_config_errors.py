"""Each kind of bad input gets one line naming the file, the key and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.kcc.site_edits import TOPICS, Data, Edit, both, refusal_of, set_at

CASES: list[tuple[str, Edit, str]] = [
    (
        "unknown automatic recording mode",
        set_at("recording", "automatic", value={"mode": "loud"}),
        "recording.automatic.mode: 'loud' is not allowed; "
        "allowed: 'none', 'all', 'share', 'topics' or 'agents'",
    ),
    (
        "topics mode without topics",
        set_at("recording", "automatic", value={"mode": "topics"}),
        "recording.automatic: {'mode': 'topics'} is not allowed; "
        "allowed: mode 'topics' needs at least one topic in 'topics'",
    ),
    (
        "automatic recording of an unknown topic",
        set_at("recording", "automatic", value={"mode": "topics", "topics": ["paspoort"]}),
        f"recording.automatic.topics[0]: unknown topic 'paspoort'; "
        f"allowed: a topic id from topics: {TOPICS}",
    ),
    (
        "coaching period of an unknown agent",
        set_at(
            "recording",
            "automatic",
            value={"mode": "agents", "agents": [{"agent_id": "9999", "until": "2026-12-31"}]},
        ),
        "recording.automatic.agents[0].agent_id: unknown agent '9999'; "
        "allowed: an agent id from agents: 1001, 1002, 1003, 1004, 1005",
    ),
    (
        "a share of no calls",
        set_at("recording", "automatic", value={"mode": "share", "share_percent": 0}),
        "recording.automatic.share_percent: 0 is not allowed; "
        "allowed: a whole number from 1 to 100 percent",
    ),
    (
        "an unknown kind of QA item",
        set_at("recording", "qa_forms", 0, "groups", 0, "items", 0, "kind", value="stars"),
        "recording.qa_forms[0].groups[0].items[0].kind: 'stars' is not allowed; "
        "allowed: 'score' or 'yes_no'",
    ),
    (
        "bad id",
        set_at("topics", 2, "id", value="Burger Zaken"),
        "topics[2].id: 'Burger Zaken' is not allowed; "
        "allowed: lowercase letters, digits and '-' (1-32 chars)",
    ),
    (
        "unknown agent topic",
        set_at("agents", 1, "topics", value=["burgerzaken", "paspoort"]),
        f"agents[1].topics[1]: unknown topic 'paspoort'; allowed: a topic id from topics: {TOPICS}",
    ),
    (
        "duplicate extension",
        both(
            set_at("departments", 1, "extensions", 0, "extension", value="202"),
            set_at("access", "users", 10, "extension", value="202"),  # its colleague's login
        ),
        "departments[1].extensions[0].extension: '202' is already used at "
        "positions[1].extension; "
        "allowed: each extension only once across positions and back office",
    ),
    (
        "bad timezone",
        set_at("timezone", value="Europe/Haarlem"),
        "timezone: 'Europe/Haarlem' is not a known time zone; "
        "allowed: an IANA time zone name such as 'Europe/Amsterdam'",
    ),
    (
        "camp-on time too short",
        set_at("departments", 0, "camp_on_after_s", value=10),
        "departments[0].camp_on_after_s: 10 is not allowed; "
        "allowed: a whole number from 30 to 1800 seconds",
    ),
    (
        "port out of range",
        set_at("services", "sip_port", value=70000),
        "services.sip_port: 70000 is not allowed; allowed: a whole number from 1 to 65535",
    ),
    (
        "port as text",
        set_at("services", "ami_port", value="5038"),
        "services.ami_port: '5038' is not allowed; allowed: a whole number from 1 to 65535",
    ),
    (
        "bad bind host",
        set_at("services", "bind_host", value="http://localhost"),
        "services.bind_host: 'http://localhost' is not allowed; "
        "allowed: an IP address or host name, e.g. '127.0.0.1' or '::1'",
    ),
    (
        "wildcard FastAGI address (the dialplan dials it)",
        set_at("services", "agi_bind_host", value="0.0.0.0"),
        "services.agi_bind_host: '0.0.0.0' is not allowed; allowed: one IP address or host "
        "name, e.g. '127.0.0.1' or '::1' (not a wildcard like 0.0.0.0)",
    ),
    (
        "FastAGI peers not a list",
        set_at("services", "agi_allowed_peers", value="127.0.0.1"),
        "services.agi_allowed_peers: '127.0.0.1' is not allowed; allowed: a non-empty list "
        "of IP addresses or host names, e.g. ['127.0.0.1'] (no wildcard)",
    ),
    (
        "FastAGI peer that is not an address",
        set_at("services", "agi_allowed_peers", value=["127.0.0.1", "asterisk host"]),
        "services.agi_allowed_peers: 'asterisk host' is not allowed; allowed: a non-empty list "
        "of IP addresses or host names, e.g. ['127.0.0.1'] (no wildcard)",
    ),
    (
        "rtp range reversed",
        set_at("services", "rtp_port_end", value=19000),
        "services.rtp_port_end: 19000 is not above rtp_port_start 20000; "
        "allowed: a port higher than services.rtp_port_start",
    ),
    (
        "bad norm",
        set_at("norms", "target", value=1.5),
        "norms.target: 1.5 is not allowed; "
        "allowed: a number greater than 0 and at most 1 (e.g. 0.8 for 80%)",
    ),
    (
        "norm as boolean",
        set_at("norms", "answer_within_s", value=True),
        "norms.answer_within_s: True is not allowed; allowed: a whole number from 1 to 600 seconds",
    ),
    (
        "callback notes due after no working day",
        set_at("norms", "callback_within_working_days", value=0),
        "norms.callback_within_working_days: 0 is not allowed; "
        "allowed: a whole number from 1 to 10 working days",
    ),
    (
        "callback notes kept less than a week",
        set_at("callback_notes", "retention_days", value=3),
        "callback_notes.retention_days: 3 is not allowed; "
        "allowed: a whole number from 7 to 3650 days",
    ),
    (
        "unknown callback notes key",
        set_at("callback_notes", "keep_numbers", value=True),
        "callback_notes.keep_numbers: unknown key; allowed: retention_days",
    ),
    (
        "unknown key",
        set_at("topics", 0, "colour", value="red"),
        "topics[0].colour: unknown key; allowed: id, name, explanation, self_handling_target, "
        "overflow_after_s",
    ),
    (
        "unknown weekday",
        set_at("municipalities", 0, "opening_hours", "monday", value=["08:00-17:00"]),
        "municipalities[0].opening_hours.monday: unknown key; "
        "allowed: mon, tue, wed, thu, fri, sat, sun",
    ),
    (
        "unquoted extension",
        set_at("positions", 0, "extension", value=201),
        "positions[0].extension: 201 (a number; put it in quotes) is not allowed; "
        "allowed: 1-10 digits in quotes, e.g. '201' (unquoted, YAML drops leading zeros)",
    ),
    (
        "bad sip_md5",
        set_at("positions", 3, "sip_md5", value="demo204"),
        "positions[3].sip_md5: 'demo204' is not allowed; "
        "allowed: exactly 32 hexadecimal digits (0-9, a-f)",
    ),
    (
        "bad token hash",
        set_at("access", "display_tokens", 0, "token_sha256", value="ab" * 31),
        f"access.display_tokens[0].token_sha256: '{'ab' * 31}' is not allowed; "
        "allowed: exactly 64 hexadecimal digits (0-9, a-f)",
    ),
    (
        "clear-text password",
        set_at("access", "users", 0, "password_hash", value="demo-floor"),
        "access.users[0].password_hash: not a valid password hash: not in the form "
        "scrypt$n$r$p$salt_b64$hash_b64; "
        "allowed: a hash from 'kcc hash-password' (scrypt$n$r$p$salt_b64$hash_b64)",
    ),
    (
        "bad role",
        set_at("access", "users", 1, "role", value="boss"),
        "access.users[1].role: 'boss' is not allowed; "
        "allowed: agent, back_office, floor_manager, team_lead, metrics, admin",
    ),
    (
        "no positions",
        set_at("positions", value=[]),
        "positions: an empty list is not allowed; allowed: at least 1 entry",
    ),
    (
        "unknown general topic",
        set_at("ivr", "general_topic", value="overig"),
        f"ivr.general_topic: unknown topic 'overig'; allowed: a topic id from topics: {TOPICS}",
    ),
    (
        "reversed opening hours",
        set_at("municipalities", 1, "opening_hours", "fri", value=["17:00-08:00"]),
        "municipalities[1].opening_hours.fri[0]: '17:00-08:00' is not allowed; allowed: "
        "'HH:MM-HH:MM' in quotes with the start before the end, e.g. '08:00-17:00'",
    ),
    (
        "duplicate agent id",
        both(
            set_at("agents", 4, "id", value="1001"),
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
        set_at("access", "users", 0, "agent_id", value="1001"),
        "access.users[0]: agent_id is set for role floor_manager; "
        "allowed: agent_id only for a user with role agent",
    ),
    (
        "login for an unknown agent",
        set_at("access", "users", 3, "agent_id", value="1999"),
        "access.users[3].agent_id: unknown agent id '1999'; "
        "allowed: an agent id from agents: 1001, 1002, 1003, 1004, 1005",
    ),
    (
        "two logins for one agent",
        set_at("access", "users", 4, "agent_id", value="1001"),
        "access.users[4].agent_id: '1001' is already used at access.users[3].agent_id; "
        "allowed: each agent id for one user only",
    ),
    (
        "back-office login at a TIC position",
        set_at("access", "users", 8, "extension", value="201"),
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
        set_at("agents", 0, "pin_hash", value="9001"),
        "agents[0].pin_hash: not a valid password hash: not in the form "
        "scrypt$n$r$p$salt_b64$hash_b64; "
        "allowed: a hash from 'kcc hash-pin' (scrypt$n$r$p$salt_b64$hash_b64)",
    ),
    (
        "carrier address that is not an address",
        set_at("trunk", value={"carrier_addresses": ["carrier.example"]}),
        "trunk.carrier_addresses[0]: 'carrier.example' is not allowed; allowed: "
        "an IP address or network in CIDR form with no host bits set, e.g. '192.0.2.10' or "
        "'198.51.100.0/28' (not a catch-all such as '0.0.0.0/0')",
    ),
    (
        "carrier network with host bits",
        set_at("trunk", value={"carrier_addresses": ["192.0.2.10", "198.51.100.7/28"]}),
        "trunk.carrier_addresses[1]: '198.51.100.7/28' is not allowed; allowed: "
        "an IP address or network in CIDR form with no host bits set, e.g. '192.0.2.10' or "
        "'198.51.100.0/28' (not a catch-all such as '0.0.0.0/0')",
    ),
    (
        "carrier catch-all",
        set_at("trunk", value={"carrier_addresses": ["0.0.0.0/0"]}),
        "trunk.carrier_addresses[0]: '0.0.0.0/0' would make every address the carrier; "
        "allowed: an IP address or network in CIDR form with no host bits set, e.g. "
        "'192.0.2.10' or '198.51.100.0/28' (not a catch-all such as '0.0.0.0/0')",
    ),
    (
        "carrier address twice",
        set_at("trunk", value={"carrier_addresses": ["192.0.2.10", "192.0.2.10"]}),
        "trunk.carrier_addresses: 192.0.2.10 listed twice; allowed: each address once",
    ),
    (
        "topic explanation over two lines",
        set_at("topics", 0, "explanation", value="paspoort\nexten => 9,1,Dial(PJSIP/201)"),
        "topics[0].explanation: 'paspoort\\nexten => 9,1,Dial(PJSIP/201)' contains a line "
        "break or control character ('\\n'); "
        "allowed: non-empty text on one line of at most 200 characters",
    ),
    (
        "caller-id name that ends the display name",
        set_at("departments", 0, "extensions", 0, "name", value='Els" <201>'),
        "departments[0].extensions[0].name: 'Els\" <201>' contains '\"'; allowed: non-empty "
        'text on one line of at most 80 characters, without ; " < > \\ [ ]',
    ),
    (
        "caller-id name with a comment",
        set_at("departments", 0, "extensions", 1, "name", value="Team; Basis"),
        "departments[0].extensions[1].name: 'Team; Basis' contains ';'; allowed: non-empty "
        'text on one line of at most 80 characters, without ; " < > \\ [ ]',
    ),
    (
        "recording folder a shell would split",
        set_at("recording", "directory", value="/var/lib/kcc/opnames; rm -rf ~"),
        "recording.directory: '/var/lib/kcc/opnames; rm -rf ~' is not allowed; allowed: "
        "an absolute folder path of letters, digits, '.', '_', '-' and '/', "
        "e.g. /var/lib/kcc/recordings",
    ),
    (
        "maximum wait too short",
        set_at("norms", value={"max_wait_s": 30}),
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
    refused, path = refusal_of(edit, sample_data, write_site)
    assert str(refused) == f"{path}: {message}"
    assert refused.file == str(path)
