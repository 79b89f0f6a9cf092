"""The renderer refuses text that would change the meaning of a generated file."""

from __future__ import annotations

import pytest

from asterisk_conf.render import Section, UnsafeConfigText, render


def _render(section: Section) -> str:
    return render([section], header="pjsip.conf")


@pytest.mark.parametrize(
    ("section", "named"),
    [
        (Section(name="301", pairs=(("callerid", '"Els"\ncontext=kcc-positions'),)), "callerid"),
        (Section(name="301", pairs=(("callerid", '"Els" <301>\r'),)), "callerid"),
        (Section(name="301", pairs=(("secret", "abc;def"),)), "';'"),
        (Section(name="301", pairs=(("secret", "abc\x00"),)), "secret"),
        (Section(name="301", pairs=(("a\nb", "x"),)), "key 'a\\nb'"),
        (Section(name="301", pairs=(("a=b", "x"),)), "key 'a=b'"),
        (Section(name="301]\n[kcc-positions", pairs=()), "section name"),
        (Section(name="x[y]", pairs=()), "section name"),
        (Section(name="", pairs=()), "section name"),
        (Section(name="q", comment="Afval\nexten => 1,1,Dial(PJSIP/201)"), "comment"),
        (Section(name="q", pairs=(("v", "a\u2028b"),)), "v"),
    ],
)
def test_text_that_changes_the_file_is_refused(section: Section, named: str) -> None:
    with pytest.raises(UnsafeConfigText) as caught:
        _render(section)
    assert str(caught.value).startswith("pjsip.conf ["), caught.value
    assert named in str(caught.value)


def test_a_refused_value_is_not_repeated_in_the_error() -> None:
    with pytest.raises(UnsafeConfigText) as caught:
        _render(Section(name="kcc", pairs=(("secret", "hunter2;x"),)))
    assert "hunter2" not in str(caught.value)


def test_ordinary_and_escaped_text_is_written_as_given() -> None:
    pairs = (("callerid", '"Els de Vries (Burgerzaken)" <301>'), ("note", r"a\;b"), ("e", ""))
    text = _render(Section(name="301", comment="Afval: grofvuil; ophalen", pairs=pairs))
    assert '[301]\ncallerid = "Els de Vries (Burgerzaken)" <301>\nnote = a\\;b\ne = \n' in text
    assert "; Afval: grofvuil; ophalen\n" in text
