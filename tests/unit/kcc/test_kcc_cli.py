from __future__ import annotations

import argparse
import io
import subprocess
import sys
from pathlib import Path

import pytest

from kcc.cli import Command, CommandRegistry, default_registry, main
from kcc.commands.site import commands
from site_config import ConfigError, ConfigProblem, SiteConfig
from site_config.passwords import sip_md5, token_sha256, verify_password


def test_check_config_ok(site_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(site_path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"ok: {site_path}: 'KCC 14023 Haarlem en Zandvoort', 2 municipalities")
    assert "4 positions (1 peak)" in out
    assert err == ""


def test_check_config_bad_file(site_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site_path.write_text(
        # The first one is recording's (callback_notes has its own further down).
        site_path.read_text(encoding="utf-8").replace("retention_days: 90", "retention_days: 0", 1),
        encoding="utf-8",
    )
    assert main(["check-config", str(site_path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"{site_path}: recording.retention_days: 0 is not allowed; "
        "allowed: a whole number from 1 to 3650 days\n"
    )


def test_check_config_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-config", str(tmp_path / "none.yaml")]) == 1
    assert "cannot read the file" in capsys.readouterr().err


def test_check_config_runs_extra_checks(
    site_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The hook for the IVR package: its flow validation plugs in here.
    def flow_check(site: SiteConfig) -> None:
        problem = ConfigProblem(path="start", what="no such node", allowed="a node name")
        raise ConfigError(site.ivr.flow_file, [problem])

    registry = CommandRegistry(commands(extra_checks=[flow_check]))
    assert main(["check-config", str(site_path)], registry=registry) == 1
    assert capsys.readouterr().err.endswith(
        "14023.yaml: start: no such node; allowed: a node name\n"
    )


def test_hash_password_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret pass\n"))
    assert main(["hash-password"]) == 0
    stored = capsys.readouterr().out.strip()
    assert verify_password("s3cret pass", stored)


def test_hash_password_refuses_empty_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n"))
    assert main(["hash-password"]) == 1
    assert "no password on stdin" in capsys.readouterr().err


def test_hash_pin_takes_4_to_8_digits_only(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("9001\n"))
    assert main(["hash-pin"]) == 0
    assert verify_password("9001", capsys.readouterr().out.strip())
    for bad in ("123", "123456789", "12a4", "١٢٣٤"):  # too short, too long, a letter, not ASCII
        monkeypatch.setattr(sys, "stdin", io.StringIO(bad + "\n"))
        assert main(["hash-pin"]) == 1
        assert capsys.readouterr().err == (
            "error: the PIN is not allowed; allowed: 4 to 8 digits\n"
        )


def test_token_sha256_from_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("demo-wall-display\n"))
    assert main(["token-sha256"]) == 0
    assert capsys.readouterr().out == token_sha256("demo-wall-display") + "\n"


def test_sip_md5(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sip-md5", "201", "demo201"]) == 0
    assert capsys.readouterr().out == sip_md5("201", "kcc14023", "demo201") + "\n"
    assert main(["sip-md5", "301", "pw", "--realm", "other"]) == 0
    assert capsys.readouterr().out == sip_md5("301", "other", "pw") + "\n"


def test_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["frobnicate"])
    assert caught.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


def test_registry_accepts_new_commands_and_refuses_duplicates() -> None:
    registry = default_registry()
    # The Makefile's targets rely on these subcommands.
    assert {"check-config", "up", "down", "demo", "stack-run", "staffing"} <= set(registry.names())
    seen: list[str] = []

    def hello(args: argparse.Namespace) -> int:
        seen.append(args.who)
        return 3

    registry.add(
        Command(
            name="hello",
            help="test command",
            add_arguments=lambda p: p.add_argument("who"),
            run=hello,
        )
    )
    assert main(["hello", "world"], registry=registry) == 3
    assert seen == ["world"]
    with pytest.raises(ValueError, match="'hello' is registered twice"):
        registry.add(Command(name="hello", help="", add_arguments=print, run=lambda a: 0))


def test_python_dash_m_kcc(site_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kcc", "check-config", str(site_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok: ")
