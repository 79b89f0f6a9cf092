"""``kcc recordings``: the operator's tools for kept call recordings.

    kcc recordings purge [--dry-run] [--site config/site.yaml] [--recordings-dir DIR]
                         [--state-dir DIR] [--now ISO]
    kcc recordings new-key

``purge`` deletes the recordings past their retention (``recordings.retention``), one
line each with the reason, then a summary; ``--dry-run`` prints what it would delete
and changes nothing (it does not even open the audit log). Each deletion is audited
into the controller's audit log (``<state-dir>/audit``, user ``kcc recordings purge``,
``via: system``, action ``recording/delete``). The controller does the same once a day
(``acd.recording.purge``); this command is for a purge now, or a look ahead with
``--dry-run --now``. It reads no key: deleting needs none, so ``KCC_RECORDING_KEYS``
need not be set. ``--now`` sets the moment the retention is measured at (a naive time
is the site's local time); a run that deletes refuses a moment later than the clock.
Exit status 0, or 1 with a message (no catalogue there, a bad site file, the audit log
not writable).

``new-key`` prints a new ``id:base64key`` entry for ``KCC_RECORDING_KEYS``.

Test hook: ``KCC_TEST_PURGE_KILL_AT=audited:N`` or ``deleted:N`` has the process kill
itself with SIGKILL right after the Nth audit entry (the row flagged, its file still
there) or the Nth completed deletion. Only the crash tests set it.
"""

from __future__ import annotations

import argparse
import os
import signal
import sqlite3
import sys
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo

from acd.audit import LOCAL, AuditLog
from acd.recording.purge import AuditNotWritten, deletion_entry, record_deletion
from kcc.command import Command
from recordings.catalog import CATALOG_FILE, Catalog, CatalogError, SchemaError
from recordings.catalog_rows import RecordingRow
from recordings.keys import generate_key
from recordings.purge import OnDeleted, PurgeReport, purge
from recordings.retention import CoachingFacts, NoCoaching, RetentionPolicy
from site_config import ConfigError, SiteConfig, load_site_config

USER = "kcc recordings purge"
TEST_KILL = "KCC_TEST_PURGE_KILL_AT"

CoachingSource = Callable[[SiteConfig], CoachingFacts]


class PurgeRefused(RuntimeError):
    """The purge cannot run as asked; the message says why."""


def command(*, coaching: CoachingSource = lambda site: NoCoaching()) -> Command:
    """``kcc recordings``; ``coaching`` gives the coaching store's facts for a site."""

    def arguments(parser: argparse.ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="recordings_command", metavar="COMMAND", required=True)
        purging = sub.add_parser(
            "purge",
            help="delete the recordings past their retention, each audited",
            description="delete the recordings past their retention, each audited",
        )
        _purge_arguments(purging)
        purging.set_defaults(_recordings=lambda args: run_purge(args, coaching))
        key = sub.add_parser(
            "new-key",
            help="print a new id:base64key entry for KCC_RECORDING_KEYS",
            description="print a new id:base64key entry for KCC_RECORDING_KEYS",
        )
        key.set_defaults(_recordings=lambda args: new_key())

    return Command(
        name="recordings",
        help="kept call recordings: purge past the retention, make a new key",
        add_arguments=arguments,
        run=lambda args: int(args._recordings(args)),
    )


def _moment(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not allowed; allowed: an ISO time like 2027-03-01T02:00+01:00"
        ) from None


def _purge_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dry-run", action="store_true", help="print, delete nothing")
    parser.add_argument("--site", default="config/site.yaml", help="site configuration file")
    parser.add_argument(
        "--recordings-dir", help="the kept recordings (default: the site's recording.directory)"
    )
    parser.add_argument(
        "--state-dir",
        default=str(Path(os.environ.get("KCC_STATE_DIR", "/var/lib/kcc")) / "controller"),
        help="the controller's files; its audit/ gets one entry per deletion "
        "(default: $KCC_STATE_DIR/controller)",
    )
    parser.add_argument(
        "--now", type=_moment, help="measure the retention at this ISO time (tests, a look ahead)"
    )


def run_purge(args: argparse.Namespace, coaching: CoachingSource) -> int:
    """``kcc recordings purge``: exit status 0, or 1 with a message on stderr."""
    try:
        report = _purge(args, coaching)
    except (
        ConfigError,
        PurgeRefused,
        SchemaError,
        CatalogError,
        AuditNotWritten,
        sqlite3.Error,
        OSError,
    ) as exc:
        print(f"kcc recordings purge: {exc}", file=sys.stderr)
        return 1
    if report.dry_run:
        for row in report.finished:
            print(f"would finish deleting {row.id}: an earlier run began it")
        for decision in report.deleted:
            print(f"would delete {decision.row.id}: {decision.why}")
    print(report.summary())
    return 0


def _purge(args: argparse.Namespace, coaching: CoachingSource) -> PurgeReport:
    site = load_site_config(args.site)
    zone = ZoneInfo(site.timezone)
    clock = datetime.now(UTC)
    now = clock if args.now is None else _aware(args.now, zone)
    if not args.dry_run and now > clock:
        raise PurgeRefused(
            f"--now {now.isoformat()} is later than the clock; a purge that deletes never "
            "runs ahead of time (--dry-run shows what a later day would delete)"
        )
    directory = Path(args.recordings_dir) if args.recordings_dir else site.recording.directory
    if not (directory / CATALOG_FILE).is_file():
        raise PurgeRefused(
            f"no recordings catalogue at {directory / CATALOG_FILE}; nothing to purge "
            "(--recordings-dir or the site's recording.directory names the folder)"
        )
    policy = RetentionPolicy.of(site.recording, zone=zone)
    kill = KillSwitch.from_environ(os.environ)
    on_deleted: OnDeleted = _nothing
    if not args.dry_run:
        audit = AuditLog(
            Path(args.state_dir) / "audit",
            retention_days=site.access.audit_retention_days,
            today=clock.astimezone(LOCAL).date(),
        )
        on_deleted = _auditing(audit, kill)
    with Catalog.open(directory, lambda: datetime.now(UTC), zone=zone) as catalog:
        return purge(
            catalog,
            coaching(site),
            policy,
            now,
            dry_run=args.dry_run,
            on_deleted=on_deleted,
            after_each=lambda recording_id: kill.hit("deleted"),
        )


def _aware(moment: datetime, zone: tzinfo) -> datetime:
    return moment if moment.utcoffset() is not None else moment.replace(tzinfo=zone)


def _nothing(row: RecordingRow, why: str) -> None:
    """A dry run's ``on_deleted``: purge never calls it there."""


def _auditing(audit: AuditLog, kill: KillSwitch) -> OnDeleted:
    def on_deleted(row: RecordingRow, why: str) -> None:
        record_deletion(audit, deletion_entry(row, why, user=USER, at=datetime.now(UTC)))
        print(f"deleted {row.id}: {why}", flush=True)
        kill.hit("audited")

    return on_deleted


class KillSwitch:
    """The crash tests' hook (``KCC_TEST_PURGE_KILL_AT``); inert when it is not set."""

    POINTS = ("audited", "deleted")

    def __init__(self, point: str | None = None, after: int = 0) -> None:
        self._point, self._after, self._seen = point, after, 0

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> KillSwitch:
        text = environ.get(TEST_KILL)
        if not text:
            return cls()
        point, _, count = text.partition(":")
        if point not in cls.POINTS or not count.isdigit() or int(count) < 1:
            raise PurgeRefused(f"{TEST_KILL}={text!r}; allowed: audited:N or deleted:N, N >= 1")
        return cls(point, int(count))

    def hit(self, point: str) -> None:
        if point != self._point:
            return
        self._seen += 1
        if self._seen == self._after:
            os.kill(os.getpid(), signal.SIGKILL)


def new_key() -> int:
    """Print a new key entry; where it goes is said on stderr, so stdout is the entry."""
    print(generate_key())
    print(
        "put it first in KCC_RECORDING_KEYS and keep the old entries after it "
        "(docs/recordings.md, key rotation)",
        file=sys.stderr,
    )
    return 0
