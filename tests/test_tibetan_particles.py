"""Tibetan particles after filled-in names (issue 13, point 4): the particle each case takes by
the last letter of the name, the tsheg before it, and the papers that print them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from app.core import i18n
from app.core.errors import AppError
from app.core.paths import AppPaths
from app.core.store import Store
from app.core.tibetan import Case, TibetanText, attach, fill, particle
from app.hearings import agreements
from app.hearings import record as hearings
from app.hearings.record import HearingInput, OfficerInput
from app.papers import documents as papers
from app.papers import kinds
from app.petitions.detail import petition_detail
from models import Staff
from reports import layout
from tests.helpers import office_with_staff, petition, register, tashi

NOW = datetime(2026, 11, 24, 16, 0)

# Written out by hand from the rules of the grammars (genitive, instrumental, terminative, and
# the tsheg alone), not computed.
NAMES = [
    # suffix ག: གི གིས ཏུ
    ("དབང་ཕྱུག", "དབང་ཕྱུག་གི", "དབང་ཕྱུག་གིས", "དབང་ཕྱུག་ཏུ", "དབང་ཕྱུག་"),
    ("འབྲུག", "འབྲུག་གི", "འབྲུག་གིས", "འབྲུག་ཏུ", "འབྲུག་"),
    ("ཚེ་བརྟན་ཕྱུག", "ཚེ་བརྟན་ཕྱུག་གི", "ཚེ་བརྟན་ཕྱུག་གིས", "ཚེ་བརྟན་ཕྱུག་ཏུ", "ཚེ་བརྟན་ཕྱུག་"),
    # suffix ང: གི གིས དུ (with a tsheg, as after any suffix)
    ("ཀུན་བཟང", "ཀུན་བཟང་གི", "ཀུན་བཟང་གིས", "ཀུན་བཟང་དུ", "ཀུན་བཟང་"),
    ("ཚེ་རིང", "ཚེ་རིང་གི", "ཚེ་རིང་གིས", "ཚེ་རིང་དུ", "ཚེ་རིང་"),
    ("ཞིབ་ཚགས་ཁང", "ཞིབ་ཚགས་ཁང་གི", "ཞིབ་ཚགས་ཁང་གིས", "ཞིབ་ཚགས་ཁང་དུ", "ཞིབ་ཚགས་ཁང་"),
    # suffix ད: ཀྱི ཀྱིས དུ
    ("བོད", "བོད་ཀྱི", "བོད་ཀྱིས", "བོད་དུ", "བོད་"),
    ("ནོར་འཛིན་སྐྱིད", "ནོར་འཛིན་སྐྱིད་ཀྱི", "ནོར་འཛིན་སྐྱིད་ཀྱིས", "ནོར་འཛིན་སྐྱིད་དུ",
     "ནོར་འཛིན་སྐྱིད་"),
    ("ཀུན་དགའ་འོད", "ཀུན་དགའ་འོད་ཀྱི", "ཀུན་དགའ་འོད་ཀྱིས", "ཀུན་དགའ་འོད་དུ", "ཀུན་དགའ་འོད་"),
    # suffix ན: གྱི གྱིས དུ
    ("ཆོས་སྒྲོན", "ཆོས་སྒྲོན་གྱི", "ཆོས་སྒྲོན་གྱིས", "ཆོས་སྒྲོན་དུ", "ཆོས་སྒྲོན་"),
    ("བསྟན་འཛིན", "བསྟན་འཛིན་གྱི", "བསྟན་འཛིན་གྱིས", "བསྟན་འཛིན་དུ", "བསྟན་འཛིན་"),
    ("བདེ་ཆེན", "བདེ་ཆེན་གྱི", "བདེ་ཆེན་གྱིས", "བདེ་ཆེན་དུ", "བདེ་ཆེན་"),
    # suffix བ: ཀྱི ཀྱིས ཏུ
    ("ཤེས་རབ", "ཤེས་རབ་ཀྱི", "ཤེས་རབ་ཀྱིས", "ཤེས་རབ་ཏུ", "ཤེས་རབ་"),
    ("ལེགས་གྲུབ", "ལེགས་གྲུབ་ཀྱི", "ལེགས་གྲུབ་ཀྱིས", "ལེགས་གྲུབ་ཏུ", "ལེགས་གྲུབ་"),
    ("ཀུན་ཁྱབ", "ཀུན་ཁྱབ་ཀྱི", "ཀུན་ཁྱབ་ཀྱིས", "ཀུན་ཁྱབ་ཏུ", "ཀུན་ཁྱབ་"),
    # suffix མ: གྱི གྱིས དུ
    ("སྒྲོལ་མ་ཀླུ་འབུམ", "སྒྲོལ་མ་ཀླུ་འབུམ་གྱི", "སྒྲོལ་མ་ཀླུ་འབུམ་གྱིས", "སྒྲོལ་མ་ཀླུ་འབུམ་དུ",
     "སྒྲོལ་མ་ཀླུ་འབུམ་"),
    ("ལྷ་མོ་འབུམ", "ལྷ་མོ་འབུམ་གྱི", "ལྷ་མོ་འབུམ་གྱིས", "ལྷ་མོ་འབུམ་དུ", "ལྷ་མོ་འབུམ་"),
    ("བསམ", "བསམ་གྱི", "བསམ་གྱིས", "བསམ་དུ", "བསམ་"),
    # suffix འ: འི on the འ, ས and ར in its place
    ("ཀུན་དགའ", "ཀུན་དགའི", "ཀུན་དགས", "ཀུན་དགར", "ཀུན་དགའ་"),
    ("ནམ་མཁའ", "ནམ་མཁའི", "ནམ་མཁས", "ནམ་མཁར", "ནམ་མཁའ་"),
    ("མཐའ", "མཐའི", "མཐས", "མཐར", "མཐའ་"),
    # suffix ར: གྱི གྱིས དུ
    ("འོད་ཟེར", "འོད་ཟེར་གྱི", "འོད་ཟེར་གྱིས", "འོད་ཟེར་དུ", "འོད་ཟེར་"),
    ("བསོད་ནམས་དར", "བསོད་ནམས་དར་གྱི", "བསོད་ནམས་དར་གྱིས", "བསོད་ནམས་དར་དུ", "བསོད་ནམས་དར་"),
    ("ཤར", "ཤར་གྱི", "ཤར་གྱིས", "ཤར་དུ", "ཤར་"),
    # suffix ལ: གྱི གྱིས དུ
    ("རྣམ་རྒྱལ", "རྣམ་རྒྱལ་གྱི", "རྣམ་རྒྱལ་གྱིས", "རྣམ་རྒྱལ་དུ", "རྣམ་རྒྱལ་"),
    ("ཆོས་འཕེལ", "ཆོས་འཕེལ་གྱི", "ཆོས་འཕེལ་གྱིས", "ཆོས་འཕེལ་དུ", "ཆོས་འཕེལ་"),
    ("དཔལ", "དཔལ་གྱི", "དཔལ་གྱིས", "དཔལ་དུ", "དཔལ་"),
    # suffix ས (also the second suffix ས): ཀྱི ཀྱིས སུ
    ("ཡེ་ཤེས", "ཡེ་ཤེས་ཀྱི", "ཡེ་ཤེས་ཀྱིས", "ཡེ་ཤེས་སུ", "ཡེ་ཤེས་"),
    ("བཀྲ་ཤིས", "བཀྲ་ཤིས་ཀྱི", "བཀྲ་ཤིས་ཀྱིས", "བཀྲ་ཤིས་སུ", "བཀྲ་ཤིས་"),
    ("བསོད་ནམས", "བསོད་ནམས་ཀྱི", "བསོད་ནམས་ཀྱིས", "བསོད་ནམས་སུ", "བསོད་ནམས་"),
    ("ཐབས", "ཐབས་ཀྱི", "ཐབས་ཀྱིས", "ཐབས་སུ", "ཐབས་"),
    # no suffix, a letter alone (its vowel a): འི ས ར joined
    ("སྒྲོལ་མ", "སྒྲོལ་མའི", "སྒྲོལ་མས", "སྒྲོལ་མར", "སྒྲོལ་མ་"),
    ("ལྷ་ས", "ལྷ་སའི", "ལྷ་སས", "ལྷ་སར", "ལྷ་ས་"),
    ("ཉི་མ", "ཉི་མའི", "ཉི་མས", "ཉི་མར", "ཉི་མ་"),
    # no suffix, a stack (its vowel a)
    ("རྒྱ", "རྒྱའི", "རྒྱས", "རྒྱར", "རྒྱ་"),
    ("ཚེ་རིང་ལྷ", "ཚེ་རིང་ལྷའི", "ཚེ་རིང་ལྷས", "ཚེ་རིང་ལྷར", "ཚེ་རིང་ལྷ་"),
    ("པདྨ", "པདྨའི", "པདྨས", "པདྨར", "པདྨ་"),
    # vowel ི
    ("རི", "རིའི", "རིས", "རིར", "རི་"),
    ("བཞི", "བཞིའི", "བཞིས", "བཞིར", "བཞི་"),
    ("ཡུམ་ཁྲི", "ཡུམ་ཁྲིའི", "ཡུམ་ཁྲིས", "ཡུམ་ཁྲིར", "ཡུམ་ཁྲི་"),
    # vowel ུ
    ("ནོར་བུ", "ནོར་བུའི", "ནོར་བུས", "ནོར་བུར", "ནོར་བུ་"),
    ("ཀླུ", "ཀླུའི", "ཀླུས", "ཀླུར", "ཀླུ་"),
    ("བུ", "བུའི", "བུས", "བུར", "བུ་"),
    # vowel ེ
    ("རྡོ་རྗེ", "རྡོ་རྗེའི", "རྡོ་རྗེས", "རྡོ་རྗེར", "རྡོ་རྗེ་"),
    ("སྡེ", "སྡེའི", "སྡེས", "སྡེར", "སྡེ་"),
    ("ཚེ", "ཚེའི", "ཚེས", "ཚེར", "ཚེ་"),
    # vowel ོ
    ("ལྷ་མོ", "ལྷ་མོའི", "ལྷ་མོས", "ལྷ་མོར", "ལྷ་མོ་"),
    ("རྒྱ་མཚོ", "རྒྱ་མཚོའི", "རྒྱ་མཚོས", "རྒྱ་མཚོར", "རྒྱ་མཚོ་"),
    ("དཔའ་བོ", "དཔའ་བོའི", "དཔའ་བོས", "དཔའ་བོར", "དཔའ་བོ་"),
    # a name that does not show how it is read: ཡི ཡིས ལ after a space
    ("王明", "王明 ཡི", "王明 ཡིས", "王明 ལ", "王明 "),
    ("扎西才让", "扎西才让 ཡི", "扎西才让 ཡིས", "扎西才让 ལ", "扎西才让 "),
    ("Tashi", "Tashi ཡི", "Tashi ཡིས", "Tashi ལ", "Tashi "),
    ("ཡེ་ཤེས (翻译)", "ཡེ་ཤེས (翻译) ཡི", "ཡེ་ཤེས (翻译) ཡིས", "ཡེ་ཤེས (翻译) ལ",
     "ཡེ་ཤེས (翻译) "),
    # figures, read out: 2 གཉིས, 10 བཅུ, 1000 སྟོང, 0001 གཅིག, 7 བདུན; joined as dates are
    ("ཚེས་2", "ཚེས་2ཀྱི", "ཚེས་2ཀྱིས", "ཚེས་2སུ", "ཚེས་2"),
    ("10", "10ཡི", "10ཡིས", "10རུ", "10"),
    ("1000", "1000གི", "1000གིས", "1000དུ", "1000"),
    ("2026-0001", "2026-0001གི", "2026-0001གིས", "2026-0001ཏུ", "2026-0001"),
    ("ཉིན་༧", "ཉིན་༧གྱི", "ཉིན་༧གྱིས", "ཉིན་༧དུ", "ཉིན་༧"),
    # a tsheg or shad already at the end is not doubled; a name's closing shad goes
    ("ཚེ་རིང་", "ཚེ་རིང་གི", "ཚེ་རིང་གིས", "ཚེ་རིང་དུ", "ཚེ་རིང་"),
    ("ཞིབ་ཚགས་ཁང།", "ཞིབ་ཚགས་ཁང་གི", "ཞིབ་ཚགས་ཁང་གིས", "ཞིབ་ཚགས་ཁང་དུ", "ཞིབ་ཚགས་ཁང་"),
    ("ཞིབ་ཚགས་ཁང་།", "ཞིབ་ཚགས་ཁང་གི", "ཞིབ་ཚགས་ཁང་གིས", "ཞིབ་ཚགས་ཁང་དུ", "ཞིབ་ཚགས་ཁང་"),
    # several names: the particle goes after the last
    ("དབང་ཕྱུག  ཡེ་ཤེས", "དབང་ཕྱུག  ཡེ་ཤེས་ཀྱི", "དབང་ཕྱུག  ཡེ་ཤེས་ཀྱིས", "དབང་ཕྱུག  ཡེ་ཤེས་སུ",
     "དབང་ཕྱུག  ཡེ་ཤེས་"),
    # nothing filled in: no particle standing alone
    ("", "", "", "", ""),
]


@pytest.mark.parametrize(("word", "genitive", "instrumental", "terminative", "separate"), NAMES)
def test_each_name_takes_the_particle_of_its_last_letter(
        word: str, genitive: str, instrumental: str, terminative: str, separate: str) -> None:
    assert attach(word, Case.GENITIVE) == genitive
    assert attach(word, Case.INSTRUMENTAL) == instrumental
    assert attach(word, Case.TERMINATIVE) == terminative
    assert attach(word, Case.SEPARATE) == separate


def test_the_particle_alone_and_the_cases_a_translator_writes() -> None:
    assert [particle("དབང་ཕྱུག", case) for case in Case] == ["གི", "གིས", "ཏུ", ""]
    assert [particle("སྒྲོལ་མ", case) for case in Case] == ["ཡི", "ཡིས", "རུ", ""]
    assert [particle("王明", case) for case in Case] == ["ཡི", "ཡིས", "ལ", ""]
    assert [case.value for case in Case] == ["gen", "ins", "term", "sep"]


def test_fields_name_their_case_and_other_specs_still_work() -> None:
    text = "{office:ins}་{place:term}་ཞིབ་ཉན་བསྐོངས། {name:gen}་མིང་། {n:>3} {{office}}"
    values = {"office": "དར་ལག་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང", "place": "ལྷ་ས", "name": "ཡེ་ཤེས",
              "n": 7}
    expected = ("དར་ལག་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་གིས་ལྷ་སར་ཞིབ་ཉན་བསྐོངས། ཡེ་ཤེས་ཀྱི་མིང་།   7 "
                "{office}")
    assert fill(text, values) == expected
    assert TibetanText(text).format(**values) == expected
    assert TibetanText(text).format_map(values) == expected


@pytest.fixture
def tibetan_screen() -> Iterator[None]:
    before = i18n.mode()
    yield
    i18n.set_mode(before)


@pytest.mark.parametrize("mode", [i18n.BO, i18n.BILINGUAL])
def test_screens_in_tibetan_write_the_particles(mode: str, tibetan_screen: None) -> None:
    i18n.set_mode(mode)
    said = i18n._("{name} will interpret between Tibetan and Chinese.").format(name="ཉི་མ")
    assert said.startswith("ཉི་མས་བོད་རྒྱ་སྐད་སྒྱུར་བྱེད།")
    changed = i18n._("{laptop}, by {name}").format(laptop="A", name="དབང་ཕྱུག")
    assert "དབང་ཕྱུག་གིས་བཟོ་བཅོས་བྱས།" in changed


def test_the_catalog_glues_no_particle_to_a_name() -> None:
    bo = i18n.catalog(i18n.BO)
    assert bo.gettext("{name}:").format(name="སྒྲོལ་མ་ཀླུ་འབུམ") == "སྒྲོལ་མ་ཀླུ་འབུམ་ལགས།"
    assert bo.gettext("The hearing is hosted by procurator {host}.").format(
        host="ཡེ་ཤེས").endswith("ཞིབ་ཚགས་པ་ཡེ་ཤེས་ཡིན།")
    assert bo.gettext("{amount}, by {name} on {date}").format(
        amount="¥ 1", name="王明", date="ཚེས་2") == "¥ 1  王明 ཡིས་ཚེས་2ལ།"
    assert bo.ngettext("No return visit is planned for the next {n} day.",
                       "No return visit is planned for the next {n} days.", 7).format(
        n=7) == "ཉིན་7གྱི་ནང་ཕྱིར་ལྟ་ཞིབ་ཀྱི་འཆར་གཞི་མེད།"


# -- the papers ---------------------------------------------------------------------------------

@pytest.fixture
def paragraphs(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text of every paragraph the papers lay out (what the PDF is drawn from)."""
    texts: list[str] = []
    original = layout.ScriptParagraph.__init__

    def record(self: Any, text: str, *args: Any, **kwargs: Any) -> None:
        texts.append(text)
        original(self, text, *args, **kwargs)

    monkeypatch.setattr(layout.ScriptParagraph, "__init__", record)
    return texts


def _rename_staff(store: Store, staff_id: str, name_bo: str) -> None:
    with store.write() as session:
        staff = session.get(Staff, staff_id)
        assert staff is not None
        staff.name_bo = name_bo


def _hearing(store: Store, petitioner: str, host: str, interpreter: str = "") -> tuple[str, str]:
    """A settled doorstep hearing of a petitioner named ``petitioner`` hosted by ``host``;
    returns (hearing id, the office's Tibetan name)."""
    office_id, chief_id = office_with_staff(store)
    _rename_staff(store, chief_id, host)
    done = register(store, petition(persons=[tashi(name_bo=petitioner)]), now=NOW)
    officer = hearings.save_officer(store, OfficerInput(office_id, "索南", "བསོད་ནམས", "deputy"))
    party = petition_detail(store, done.id).parties[0].person_id
    hearing_id = hearings.record_hearing(store, HearingInput(
        petition_id=done.id, kind="doorstep", held_at="2026-11-24T14:00", township="窝赛乡",
        village="查干村", place="ཞོལ་ཁང", host_id=chief_id, officer_ids=[officer],
        party_ids=[party], interpreter=interpreter,
        statements=[(("party", party), "同意。")], opinions={officer: "同意息诉。"},
        outcome="settled"), chief_id, now=NOW)
    office_bo = petition_detail(store, done.id).office_bo
    return hearing_id, office_bo.rstrip("།་")


def test_the_tibetan_agreement_spells_each_particle_for_its_name(store: Store) -> None:
    hearing_id, office = _hearing(store, "དབང་ཕྱུག", "ཡེ་ཤེས")
    assert office.endswith("ཞིབ་ཚགས་ཁང")
    agreement_id = agreements.draft_agreement(store, store.paths, hearing_id)
    text = agreements.agreement_detail(store, agreement_id).text
    assert "ཞུ་གཏུག་པ་དབང་ཕྱུག་གིས་སྤྱི་ལོ་" in text.matter_bo
    assert f"{office}་ལ་ཞུ་གཏུག་ཕུལ་ཏེ།" in text.matter_bo
    assert f"{office}་གིས་" in text.matter_bo and "ཞོལ་ཁང་དུ་ཞིབ་ཉན་" in text.matter_bo
    assert "ཡེ་ཤེས་ཀྱིས་འགོ་ཁྲིད་" in text.matter_bo
    assert text.office_bo.startswith(f"{office}་གིས་ཁྲིམས་ལྟར་")
    assert f"ཞུ་གཏུག་པས་{office}་གི་ཐག་གཅོད་" in text.petitioner_bo
    for section in (text.matter_bo, text.office_bo, text.petitioner_bo):
        assert "ཡིས" not in section and "{" not in section


def test_an_agreement_for_a_name_in_another_script_and_a_name_without_suffix(
        store: Store) -> None:
    hearing_id, _office = _hearing(store, "", "སྒྲོལ་མ་ཀླུ་འབུམ")
    agreement_id = agreements.draft_agreement(store, store.paths, hearing_id)
    matter = agreements.agreement_detail(store, agreement_id).text.matter_bo
    # The petitioner has no Tibetan name: the Chinese one, a space, and ཡིས.
    assert "ཞུ་གཏུག་པ་扎西才让 ཡིས་སྤྱི་ལོ་" in matter
    assert "སྒྲོལ་མ་ཀླུ་འབུམ་གྱིས་འགོ་ཁྲིད་" in matter


def test_an_office_template_names_only_known_cases(store: Store, tmp_path: Path) -> None:
    paths = AppPaths(tmp_path / "data")
    folder = agreements.ensure_office_templates(paths)
    bo = folder / "agreement.bo.txt"
    bo.write_text(bo.read_text(encoding="utf-8").replace("{office:gen}", "{office:of}"),
                  encoding="utf-8")
    with pytest.raises(AppError) as caught:
        agreements.load_template(paths, "bo")
    assert caught.value.params["case"] == "of" and caught.value.params["name"] == "office"
    zh = folder / "agreement.zh.txt"
    zh.write_text(zh.read_text(encoding="utf-8").replace("{host}", "{host:ins}"),
                  encoding="utf-8")
    with pytest.raises(AppError):
        agreements.load_template(paths, "zh")


def test_hearing_papers_write_the_tsheg_and_the_particles(
        store: Store, paragraphs: list[str]) -> None:
    hearing_id, _office = _hearing(store, "སྒྲོལ་མ་ཀླུ་འབུམ", "ཡེ་ཤེས", interpreter="ཉི་མ")
    papers.render_hearing_notice(store, hearing_id, issued=date(2026, 11, 20))
    notice = "\n".join(paragraphs)
    assert "སྒྲོལ་མ་ཀླུ་འབུམ་ལགས།" in notice
    assert "ཞིབ་ཚགས་པ་ཡེ་ཤེས་ཡིན།" in notice
    assert "ཞོལ་ཁང་དུ་" in notice
    assert "ཉི་མས་བོད་རྒྱ་སྐད་སྒྱུར་བྱེད།" in notice
    assert "ཀླུ་འབུམལགས" not in notice and "ཡེ་ཤེསཡིན" not in notice
    paragraphs.clear()
    papers.render_minutes(store, hearing_id)
    assert any("ཡེ་ཤེས" in text for text in paragraphs)


def test_notices_for_a_tibetan_reader_write_the_tsheg(
        store: Store, paragraphs: list[str]) -> None:
    office_id, chief_id = office_with_staff(store)
    del office_id
    _rename_staff(store, chief_id, "ཡེ་ཤེས")
    done = register(store, petition(persons=[tashi(name_bo="སྒྲོལ་མ་ཀླུ་འབུམ")],
                                    handling_procurator_id=chief_id), now=NOW)
    papers.render(store, done.id, kinds.RECEIPT)
    receipt = "\n".join(paragraphs)
    assert "སྒྲོལ་མ་ཀླུ་འབུམ་ལགས།" in receipt
    paragraphs.clear()
    papers.render(store, done.id, kinds.REPLY_NOTICE)
    reply = "\n".join(paragraphs)
    assert "སྒྲོལ་མ་ཀླུ་འབུམ་ལགས།" in reply and "ཞིབ་ཚགས་པ་ནི་ཡེ་ཤེས་ཡིན།" in reply


OLD_TEMPLATE_LINES = (  # the Tibetan template as offices copied it before fields named cases
    "ཞུ་གཏུག་པ་{petitioners}ཡིས་{received}ལ་{office}ལ་ཞུ་གཏུག་ཕུལ་ཏེ། {summary} "
    "(ཞུ་གཏུག་ཨང་རྟགས་{reg_no})། {hearing_date}ལ་{office}ཡིས་{place}དུ་ཞིབ་ཉན་ཚོགས་འདུ་"
    "བསྐོངས་ཏེ། {host}ཡིས་འགོ་ཁྲིད་བྱས་ནས་",
    "ཞུ་གཏུག་པས་{office}ཡི་ཐག་གཅོད་བསམ་འཆར་ལ་གོ་བ་ལེན་ཞིང་")


def test_an_old_template_is_read_in_todays_form() -> None:
    matter, petitioner = (agreements.upgrade_template(line) for line in OLD_TEMPLATE_LINES)
    assert matter.startswith("ཞུ་གཏུག་པ་{petitioners:ins}་{received}ལ་{office:sep}ལ་")
    assert "{hearing_date}ལ་{office:ins}་{place:term}་ཞིབ་ཉན་" in matter
    assert "{host:ins}་འགོ་ཁྲིད་" in matter and "{reg_no})" in matter
    assert petitioner == "ཞུ་གཏུག་པས་{office:gen}་ཐག་གཅོད་བསམ་འཆར་ལ་གོ་བ་ལེན་ཞིང་"
    shipped = agreements.shipped_template("bo").read_text(encoding="utf-8")
    assert agreements.upgrade_template(shipped) == shipped


def test_an_office_copy_of_the_old_template_prints_the_right_particles(store: Store) -> None:
    """An office that saved its own copy before: the agreement drafted from it spells each
    particle for the name, and the copy is rewritten in today's form when the office opens
    the templates folder."""
    folder = agreements.ensure_office_templates(store.paths)
    bo = folder / "agreement.bo.txt"
    today = bo.read_text(encoding="utf-8")
    notes = "".join(line for line in today.splitlines(keepends=True) if line.startswith("#"))
    old = today[len(notes):]
    for new, was in (("{petitioners:ins}་", "{petitioners}ཡིས་"), ("{office:ins}་", "{office}ཡིས་"),
                     ("{office:gen}་", "{office}ཡི་"), ("{host:ins}་", "{host}ཡིས་"),
                     ("{place:term}་", "{place}དུ་"), ("{office:sep}", "{office}")):
        old = old.replace(new, was)
    assert old != today[len(notes):]
    bo.write_text(notes + old, encoding="utf-8")
    hearing_id, office = _hearing(store, "དབང་ཕྱུག", "ཡེ་ཤེས")
    agreement_id = agreements.draft_agreement(store, store.paths, hearing_id)
    text = agreements.agreement_detail(store, agreement_id).text
    assert "ཡེ་ཤེས་ཀྱིས་འགོ་ཁྲིད་" in text.matter_bo
    assert f"ཞུ་གཏུག་པས་{office}་གི་ཐག་གཅོད་" in text.petitioner_bo
    for section in (text.matter_bo, text.office_bo, text.petitioner_bo):
        assert "ཡིས" not in section and "{" not in section
    agreements.ensure_office_templates(store.paths)
    assert bo.read_text(encoding="utf-8") == today
