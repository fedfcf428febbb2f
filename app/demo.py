"""Realistic demo data for a Golog county office: offices, staff and persons in both scripts."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from stdnum.cn import ric

from app.errors import AppError
from app.golog import COUNTIES, OFFICES, county_name
from app.i18n import N_
from app.identity import ensure_device, ensure_office
from app.settings import load_settings, save_settings
from app.store import Store
from models import Device, Office, Person, Staff

DEMO_OFFICE = "632624"  # 达日县人民检察院: the demo laptop is its 12309 window
DEMO_DEVICE_NAME = "达日县院12309窗口"

# (Tibetan, Chinese transliteration as used in Qinghai) name parts; Amdo names join two parts.
NAME_PARTS = (
    ("བཀྲ་ཤིས", "扎西"), ("ཚེ་རིང", "才让"), ("བསོད་ནམས", "索南"), ("སྒྲོལ་མ", "卓玛"),
    ("ལྷ་མོ", "拉毛"), ("དོན་གྲུབ", "端智"), ("ཚེ་དབང", "才旺"), ("རྡོ་རྗེ", "多杰"),
    ("ནོར་བུ", "诺布"), ("པདྨ", "白玛"), ("ཡེ་ཤེས", "益西"), ("བློ་བཟང", "洛桑"),
    ("འཇམ་དབྱངས", "嘉央"), ("ཉི་མ", "尼玛"), ("ཟླ་བ", "达哇"), ("དབང་ཕྱུག", "旺秀"),
    ("རིན་ཆེན", "仁青"), ("དཀོན་མཆོག", "官却"), ("སངས་རྒྱས", "桑杰"), ("ཚེ་བརྟན", "才旦"),
    ("མཚོ་མོ", "措毛"), ("ཕུན་ཚོགས", "彭措"), ("རྣམ་རྒྱལ", "南杰"), ("བདེ་ཆེན", "德庆"),
    ("དབྱངས་སྐྱིད", "央吉"), ("འབྲུག་མོ", "周毛"), ("གཡུ་སྒྲོན", "玉珍"), ("ཀླུ་འབུམ", "鲁本"),
)
FEMALE_PARTS = {"སྒྲོལ་མ", "ལྷ་མོ", "མཚོ་མོ", "བདེ་ཆེན", "དབྱངས་སྐྱིད", "འབྲུག་མོ", "གཡུ་སྒྲོན"}
HAN_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵")
HUI_SURNAMES = ("马", "韩", "冶", "喇")
HAN_GIVEN = ("建国", "秀英", "海军", "玉兰", "志强", "桂英", "永福", "红梅", "德明", "春花")
HERDING_GROUPS = ("一社", "二社", "三社", "四社", "五社")
VILLAGES = ("牧委会", "村")

STAFF_PLAN = (("chief", 1), ("deputy", 2), ("head", 1), ("procurator", 3), ("clerk", 2))


@dataclass(frozen=True)
class DemoSummary:
    offices: int
    staff: int
    persons: int


def _tibetan_name(rng: random.Random) -> tuple[str, str, str]:
    first, second = rng.sample(NAME_PARTS, 2)
    sex = "F" if second[0] in FEMALE_PARTS else "M"
    return f"{first[0]}་{second[0]}", first[1] + second[1], sex


def _other_name(rng: random.Random, hui: bool) -> tuple[str, str]:
    given = rng.choice(HAN_GIVEN)
    surname = rng.choice(HUI_SURNAMES if hui else HAN_SURNAMES)
    sex = "F" if given in ("秀英", "玉兰", "桂英", "红梅", "春花") else "M"
    return surname + given, sex


def _id_number(rng: random.Random, division_code: str, sex: str) -> str:
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(0, 365 * 55))
    seq = rng.randrange(0, 500) * 2 + (1 if sex == "M" else 0)
    body = f"{division_code}{born:%Y%m%d}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")  # takes a placeholder check digit


def _phone(rng: random.Random) -> str:
    return rng.choice(("139", "138", "150", "152", "158", "187", "189", "177")) + \
        f"{rng.randrange(0, 10**8):08d}"


def fill(store: Store, persons: int = 240, seed: int = 2026) -> DemoSummary:
    """Fill an empty store; refuse one that already holds records."""
    with store.read() as session:
        existing = sum(session.scalar(select(func.count()).select_from(t)) or 0
                       for t in (Office, Staff, Person))
    if existing:
        raise AppError(N_("Demo data goes only into an empty data folder; this one already holds "
                          "records."))
    rng = random.Random(seed)
    ensure_device(store, DEMO_DEVICE_NAME)
    clerk_id = ""
    staff_count = 0
    with store.write() as session:
        for seed_office in OFFICES:
            ensure_office(session, seed_office.division_code)
        for seed_office in OFFICES:
            for role, count in STAFF_PLAN:
                for _ in range(count):
                    name_bo, name_zh, _sex = _tibetan_name(rng)
                    staff = Staff(office_id=seed_office.id, name_zh=name_zh, name_bo=name_bo,
                                  role=role, phone=_phone(rng), active=True)
                    session.add(staff)
                    staff_count += 1
                    is_window_clerk = seed_office.division_code == DEMO_OFFICE and role == "clerk"
                    if is_window_clerk and not clerk_id:
                        session.flush()
                        clerk_id = staff.id
        device = session.get(Device, store.device_id)
        assert device is not None
        device.name = DEMO_DEVICE_NAME
        device.office_id = next(o.id for o in OFFICES if o.division_code == DEMO_OFFICE)
        home = session.get(Office, device.office_id)
        assert home is not None
        home.numbering_device_id = device.id

        for i in range(persons):
            # Most petitioners at a Darlag window live in Darlag; some come from elsewhere.
            county = next(c for c in COUNTIES if c.division_code == DEMO_OFFICE) \
                if rng.random() < 0.6 else rng.choice(COUNTIES)
            kind = rng.random()
            if kind < 0.85:
                name_bo, name_zh, sex = _tibetan_name(rng)
                ethnicity = "04"
                prefers_bo = rng.random() < 0.6
            else:
                name_zh, sex = _other_name(rng, hui=kind > 0.95)
                name_bo, ethnicity, prefers_bo = "", "03" if kind > 0.95 else "01", False
            township = rng.choice(county.townships)
            session.add(Person(
                name_bo=name_bo, name_zh=name_zh, sex=sex, ethnicity=ethnicity,
                id_number=_id_number(rng, county.division_code, sex) if rng.random() < 0.9 else "",
                phone=_phone(rng) if rng.random() < 0.8 else "",
                county=county_name(county), township=township,
                village=township[:-1] + rng.choice(VILLAGES) if i % 3 else "",
                herding_group=rng.choice(HERDING_GROUPS) if i % 2 else "",
                preferred_language="bo" if prefers_bo else "zh",
                needs_interpreter=prefers_bo and rng.random() < 0.5))
    settings = load_settings(store.paths)
    settings.current_staff_id = clerk_id
    save_settings(store.paths, settings)
    return DemoSummary(len(OFFICES), staff_count, persons)
