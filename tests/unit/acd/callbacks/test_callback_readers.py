"""Who sees which callback notes: the addressee in the back office, team leads and the
admin; agents, the floor manager and displays see none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from acd.callbacks.machine import CallbackNote
from acd.callbacks.readers import NotAllowed, Scope, scope_of
from http_access.auth import Principal, PrincipalKind
from site_config.access import Role

DEPARTMENTS = {"301": "burgerzaken", "302": "burgerzaken", "311": "belastingen"}
AT = datetime(2026, 6, 15, 7, tzinfo=UTC)


def user(name: str, role: Role, **bound: str) -> Principal:
    return Principal(name=name, kind=PrincipalKind.USER, role=role, **bound)


def note(department: str, extension: str | None) -> CallbackNote:
    return CallbackNote(
        id="n1", created_at=AT, call_id="", agent_id="1001", municipality="haarlem",
        department=department, extension=extension, topic=None, caller_name="J",
        callback_number="0235115115", question="?", due_at=AT,
    )  # fmt: skip


ELS = user("els", Role.BACK_OFFICE, extension="301")


def test_a_colleague_sees_their_departments_notes_for_all_of_it_and_for_them() -> None:
    scope = scope_of(ELS, DEPARTMENTS.get)
    assert scope == Scope("burgerzaken", "301")
    assert scope.covers(note("burgerzaken", None))
    assert scope.covers(note("burgerzaken", "301"))
    assert not scope.covers(note("burgerzaken", "302"))
    assert not scope.covers(note("belastingen", None))


@pytest.mark.parametrize("role", [Role.TEAM_LEAD, Role.ADMIN])
def test_team_leads_and_the_admin_see_every_note(role: Role) -> None:
    scope = scope_of(user("boss", role), DEPARTMENTS.get)
    assert scope == Scope()
    assert scope.covers(note("belastingen", "311")) and scope.covers(note("burgerzaken", None))
    assert scope.narrowed("belastingen", user("boss", role)) == Scope("belastingen")


@pytest.mark.parametrize(
    "who",
    [
        user("anouk", Role.AGENT, agent_id="1001"),
        user("floor", Role.FLOOR_MANAGER),
        Principal(name="wall", kind=PrincipalKind.DISPLAY, role=None),
        user("ghost", Role.BACK_OFFICE, extension="399"),  # in no department
    ],
)
def test_everyone_else_sees_none(who: Principal) -> None:
    with pytest.raises(NotAllowed, match="may not see callback notes: they hold callers'"):
        scope_of(who, DEPARTMENTS.get)


def test_a_colleague_may_not_look_into_another_department() -> None:
    scope = scope_of(ELS, DEPARTMENTS.get)
    assert scope.narrowed("burgerzaken", ELS) is scope
    assert scope.narrowed(None, ELS) is scope
    with pytest.raises(NotAllowed, match="'els' is in department burgerzaken and sees only"):
        scope.narrowed("belastingen", ELS)
