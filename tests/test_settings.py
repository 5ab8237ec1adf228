from pathlib import Path

from winnow.settings import DECLARED, Settings, check_declared, markdown_table


def test_declared_settings_match_the_dataclass() -> None:
    check_declared()
    assert len({s.name for s in DECLARED}) == len(DECLARED)


def test_docs_show_every_setting_as_declared() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "settings.md").read_text()
    assert markdown_table() in docs, "docs/settings.md is out of step: paste winnow.settings.markdown_table()"


def test_replace_rejects_unknown_settings() -> None:
    try:
        Settings().replace(nope=1)
    except ValueError as exc:
        assert "nope" in str(exc)
    else:
        raise AssertionError("unknown setting accepted")
    assert Settings().replace(workers=3).workers == 3
