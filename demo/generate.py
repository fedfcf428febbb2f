"""Realistic demo data for a Golog county office: offices, staff and persons in both scripts,
petitions of the last four months and of the same months a year earlier (so that the figures
have a year-on-year base), hearings, agreements, judicial aid, return visits, and what the
statistics count beyond replies: resolutions, conciliation, wage recovery, escalation, outside
helpers and leads passed on. Seeded: the same command gives the same records."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from stdnum.cn import ric

from app.core.errors import AppError
from app.core.i18n import N_
from app.core.identity import ensure_device, ensure_office, this_device
from app.core.keyring import Account
from app.core.paths import AppPaths
from app.core.reference import COUNTIES, OFFICES, county_name
from app.core.settings import load_settings, save_settings
from app.core.store import Store
from demo import leaders_demo, ledger_demo
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

DEMO_PASSPHRASE = "demo"
STAFF_PLAN = (("chief", 1), ("deputy", 2), ("head", 1), ("procurator", 3), ("clerk", 2))


# (category, business type, summary, requests) as a Darlag clerk would write them.
MATTERS = (
    ("appeal", "support_lawsuit", "在县城建筑工地务工，包工头拖欠工资共计4.2万元，多次讨要未果。",
     "请求检察机关支持起诉，追回拖欠工资。"),
    ("appeal", "civil_supervision", "与邻村因草场界线发生纠纷，对县法院民事判决不服。",
     "请求对该民事判决进行监督。"),
    ("appeal", "judicial_aid",
     "丈夫在交通事故中死亡，肇事者无赔偿能力，家中有三名未成年子女，生活困难。",
     "申请国家司法救助。"),
    ("appeal", "criminal_appeal", "儿子因故意伤害罪被判刑，家属认为量刑过重。", "请求复查原案。"),
    ("accusation", "other", "反映村委会在发放草原生态补助时优亲厚友。", "请求调查处理。"),
    ("suggestion", "public_interest", "反映乡镇附近河道有人非法采砂，破坏黄河源生态。",
     "建议检察机关介入，保护三江源生态。"),
    ("appeal", "administrative", "对乡政府作出的草场承包经营权处理决定不服，行政诉讼已终审。",
     "请求行政检察监督。"),
    ("appeal", "state_compensation", "曾被羁押后撤案，要求国家赔偿。", "请求依法给予国家赔偿。"),
    ("appeal", "support_lawsuit", "与合作社发生牛羊买卖纠纷，对方拒不付款。", "请求帮助追讨货款。"),
    ("accusation", "other", "举报某运输公司长期超载运输，存在安全隐患。", "请求依法处理。"),
)
REFERRALS = ("达日县人民法院", "达日县人力资源和社会保障局", "达日县公安局", "达日县自然资源局")
REPLIES = ("已电话告知信访人本院已受理，将依法办理。", "已当面告知办理程序和期限。",
           "已向信访人送达程序性回复告知书。")
# An anonymous letter (匿名信) is registered under this placeholder: no one to answer.
ANONYMOUS_NAME = "匿名来信人"
ANONYMOUS_LETTERS = (
    ("accusation", "other", "匿名来信反映某牧委会干部在草原生态保护补助奖励资金发放中虚报冒领。",
     "请求调查处理。"),
    ("suggestion", "public_interest", "匿名来信反映县城周边有人私设排污口，污水直排河道。",
     "建议检察机关依法督促整治。"),
    ("accusation", "other", "匿名来信举报乡镇某工作人员在低保评定中收受好处。", "请求依法查处。"),
)
ANSWERS = ("经审查，已依法向法院提出支持起诉意见，工资已全部追回。",
           "经审查，原判决认定事实清楚，适用法律正确，已向信访人释法说理，信访人表示息诉罢访。",
           "已为信访人办理国家司法救助，并与乡政府衔接社会救助。")


@dataclass(frozen=True)
class DemoSummary:
    offices: int
    staff: int
    persons: int
    petitions: int = 0
    hearings: int = 0
    agreements: int = 0
    aid_cases: int = 0
    petitions_last_year: int = 0  # of ``petitions``: the year-earlier batch


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


NOT_EMPTY = N_("Demo data goes only into an empty data folder; this one already holds records.")
# What every staff member of the demo laptop's office logs in with.
DEMO_LOGIN_PASSPHRASE = "doorstep"


def home_staff(store: Store) -> list[Account]:
    """The staff of the demo laptop's office: who may log in on it."""
    device = this_device(store)
    assert device is not None and device.office_id is not None
    with store.read() as session:
        rows = session.scalars(select(Staff).where(Staff.office_id == device.office_id,
                                                   Staff.deleted.is_(False))
                               .order_by(Staff.role, Staff.name_zh)).all()
        return [Account(s.id, s.name_zh, s.name_bo, s.role) for s in rows]


def encrypt_for(paths: AppPaths, staff: list[Account],
                passphrase: str = DEMO_LOGIN_PASSPHRASE) -> None:
    """Encrypt the filled (and closed) data file, each of ``staff`` logging in with
    ``passphrase``: the list of passphrases first, then the file (as a leader's first log-in
    does; see app.accounts.login)."""
    from app.core import keyring
    from app.core.cipher import encrypt_store

    key = keyring.new_store_key()
    first, *others = staff
    keyring.create_keys_file(paths, key, first, passphrase)
    for account in others:
        keyring.add_passphrase(paths, key, account, passphrase)
    encrypt_store(paths, key)


def fill(store: Store, persons: int = 240, seed: int = 2026) -> DemoSummary:
    """Fill an empty store; refuse one that already holds records. All of it is written in
    one transaction: a failure (or a power cut) halfway leaves the store as it was."""
    staff_before = store.ctx.staff_id
    try:
        with store.all_or_nothing():
            summary, clerk_id = _fill(store, persons, seed)
    except BaseException:
        store.ctx.staff_id = staff_before
        raise
    settings = load_settings(store.paths)
    settings.current_staff_id = clerk_id
    save_settings(store.paths, settings)
    return summary


def _fill(store: Store, persons: int, seed: int) -> tuple[DemoSummary, str]:
    with store.read() as session:
        existing = sum(session.scalar(select(func.count()).select_from(t)) or 0
                       for t in (Office, Staff, Person))
    if existing:
        raise AppError(NOT_EMPTY)
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

        # Small demos keep exactly their persons; larger ones give one slot to the placeholder
        # that anonymous letters are registered under.
        anonymous = persons >= 10
        for i in range(persons - 1 if anonymous else persons):
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
        if anonymous:
            session.add(Person(name_zh=ANONYMOUS_NAME, name_bo="", preferred_language="zh"))
    store.ctx.staff_id = clerk_id  # the demo's work is the window clerk's
    count = min(90, persons // 2)
    # A year earlier first (fewer petitions: 58 against this year's 93, so that 同比 has a
    # base), with its own random stream so this year's data stays as it was: a person who
    # petitioned then and comes again now is a repeat petitioner, as at a real window.
    last_year = _last_year(store, random.Random(2025), clerk_id, count=count * 58 // 90)
    petitions = _petitions(store, rng, clerk_id, count=count)
    held, agreed = _hearings(store, rng, clerk_id)
    aid_cases = _aid(store)
    _visits(store)
    _outcomes(store, clerk_id)
    home_office = next(o.id for o in OFFICES if o.division_code == DEMO_OFFICE)
    ledger_demo.fill(store, home_office)
    leaders_demo.fill(store, home_office)
    # The demo laptop is its office's master for the file sync; its keys open with "demo".
    from app.sync import service

    service.set_up_office(store, DEMO_PASSPHRASE)
    return DemoSummary(len(OFFICES), staff_count, persons, petitions + last_year, held, agreed,
                       aid_cases, last_year), clerk_id


def THIS_YEARS_WINDOW() -> str:  # noqa: N802 (reads as the constant it stands for)
    """The earliest receipt of this year's demo petitions (they span the last 120 days); the
    hearings and aid of the demo are held over these, not over the year before."""
    return (date.today() - timedelta(days=121)).isoformat()


def _petitions(store: Store, rng: random.Random, clerk_id: str, count: int) -> int:
    """Petitions at the Darlag window over the last four months, in every state: replied and
    answered, overdue, due today and soon, paused and extended, repeat and group visits,
    handed down and referred, and a few anonymous letters that cannot be answered."""
    from app.persons.records import PersonInput
    from app.petitions.intake import PetitionInput, change_deadline, record_reply, register
    from app.petitions.outcomes import set_unanswerable

    home = next(o for o in OFFICES if o.division_code == DEMO_OFFICE)
    with store.read() as session:
        people = session.scalars(select(Person).where(Person.county == county_name(home))
                                 .order_by(Person.id)).all()
        staff = session.scalars(select(Staff).where(Staff.office_id == home.id)).all()
        procurators = [s.id for s in staff if s.role == "procurator"]
        leaders = [s.id for s in staff if s.role in ("chief", "deputy")]
        anonymous = session.scalar(select(Person.id).where(Person.name_zh == ANONYMOUS_NAME))
    today = date.today()
    now = datetime.combine(today, time(17, 30))
    made = 0
    letters_at = dict(zip((count // 4, count // 2 + 1, 3 * count // 4), ANONYMOUS_LETTERS,
                          strict=True)) if anonymous and count >= 12 else {}
    paused_one = False
    for i in range(count):
        age = int(120 * (1 - i / count))  # oldest first; the last few arrive this week
        received = datetime.combine(today - timedelta(days=age),
                                    time(8 + rng.randrange(0, 9), rng.choice((0, 15, 30, 45))))
        person = people[i % len(people)] if i % 7 else people[rng.randrange(0, len(people))]
        chosen = [PersonInput(existing_id=person.id, name_bo=person.name_bo,
                              name_zh=person.name_zh, preferred_language=person.preferred_language,
                              needs_interpreter=person.needs_interpreter)]
        category, business, summary, requests = MATTERS[i % len(MATTERS)]
        data = PetitionInput(
            channel=rng.choice(("visit", "visit", "visit", "phone", "letter", "web", "video")),
            received_at=received.isoformat(timespec="minutes"), persons=chosen,
            category=category, business_type=business, summary=summary, requests=requests,
            jurisdiction="accept", handling_procurator_id=rng.choice(procurators),
            leader_id=rng.choice(leaders) if i % 5 == 0 else "")
        if i % 17 == 3:
            data.channel, data.higher_office = "higher", "果洛州委政法委"
            data.higher_ref = f"果政法交〔{received.year}〕{rng.randrange(2, 40)}号"
        if i % 11 == 5:
            data.jurisdiction, data.referral_body = "refer", rng.choice(REFERRALS)
            data.referral_note = "该事项不属于检察机关管辖，已告知信访人向有权机关反映。"
        if i == count // 3:
            data.is_group, data.head_count, data.is_sensitive = True, 23, True
            data.summary = "23名农民工集体反映县城某小区建设项目拖欠工资共计68万元。"
            data.persons = [PersonInput(existing_id=p.id, name_bo=p.name_bo, name_zh=p.name_zh,
                                        role="representative") for p in people[i:i + 3]]
        done = register(store, data, clerk_id, now=now)
        made += 1
        days = (today - received.date()).days
        # Most petitions got their procedural reply in time; a few did not (the overdue ones).
        replied = answered = False
        if days >= 5 and i not in (count - 9, count - 14):
            replied = True
            record_reply(store, done.id, "procedural",
                         received.date() + timedelta(days=rng.randrange(0, min(days, 6))),
                         rng.choice(("phone", "in_person", "written")), rng.choice(REPLIES),
                         clerk_id, today=today)
            if days > 93 or (days > 40 and i % 4 != 1):
                answered = True
                record_reply(store, done.id, "result",
                             received.date() + timedelta(days=rng.randrange(30, min(days, 85))),
                             rng.choice(("in_person", "written")), rng.choice(ANSWERS), clerk_id,
                             today=today)
        # (A deadline met has nothing left to extend or pause.)
        if i % 23 == 7 and days > 10 and not answered:
            change_deadline(store, done.id, "answer", "extend", today - timedelta(days=2),
                            "案情复杂，需调取原审卷宗，经检察长批准延期。", days=30,
                            staff_id=clerk_id)
        if not paused_one and not replied and 1 <= days < 5:
            paused_one = True  # one recent petition waits for a herder out of reach
            change_deadline(store, done.id, "reply", "pause", today,
                            "信访人外出放牧，暂无法联系，待其返回后补充材料。", staff_id=clerk_id)
        if i in letters_at:
            # An anonymous letter arrives by post the same day: registered, then marked as
            # impossible to answer (it leaves the reply rates and is counted apart).
            category, business, summary, requests = letters_at[i]
            letter = register(store, PetitionInput(
                channel="letter", received_at=received.replace(hour=16, minute=45).isoformat(
                    timespec="minutes"),
                persons=[PersonInput(existing_id=anonymous, name_zh=ANONYMOUS_NAME)],
                category=category, business_type=business, summary=summary,
                requests=requests, jurisdiction="accept",
                handling_procurator_id=procurators[0]), clerk_id, now=now)
            set_unanswerable(store, letter.id, "anonymous", clerk_id)
            made += 1
    return made


# The Darlag office's roster of hearing officers: (Tibetan, Chinese, role, township).
OFFICERS = (
    ("ཀུན་དགའ་རྒྱ་མཚོ", "更登嘉措", "deputy", "吉迈镇"),
    ("ལྷ་མོ་སྐྱིད", "拉毛吉", "deputy", "窝赛乡"),
    ("", "王建华", "cppcc", "吉迈镇"),
    ("བསོད་ནམས་དབང་འདུས", "索南旺堆", "supervisor", "满掌乡"),
    ("", "李明远", "lawyer", "吉迈镇"),
    ("དགེ་རྒན་བློ་བཟང", "洛桑老师", "community", "建设乡"),
    ("རྒན་པོ་ཚེ་དབང", "才旺老人", "community", "德昂乡"),
)

# What was said at a demo hearing: (speaker kind, Chinese, Tibetan); a Tibetan-speaking party
# speaks Tibetan, procurators and officers speak Chinese (with the interpreter between).
STATEMENTS = (
    ("procurator", "宣布听证会开始，介绍听证员和参加人员，告知各方的权利和义务。", ""),
    ("party", "这件事拖了很久，家里生活很困难，希望检察院帮我们解决。",
     "དོན་དག་འདི་དུས་ཡུན་རིང་པོར་འགྱངས་ཡོད། ཁྱིམ་ཚང་གི་འཚོ་བ་དཀའ་ངལ་ཆེ་བས་ཞིབ་ཚགས་ཁང་གིས་ཐག་གཅོད་"
     "གནང་རོགས།"),
    ("procurator",
     "通报案件审查情况：经调阅卷宗、走访村委会，查明了基本事实，依法提出处理意见。", ""),
    ("officer", "检察机关的审查意见有事实和法律依据，建议信访人理解支持，同时依法给予帮扶。", ""),
    ("party", "听了检察官和听证员的解释，我明白了，同意不再上访。",
     "ཞིབ་ཚགས་པ་དང་ཞིབ་ཉན་པའི་འགྲེལ་བཤད་ལ་ཉན་ནས་ངས་གོ་བ་བླངས། ཡང་བསྐྱར་ཞུ་གཏུག་མི་བྱེད།"),
)
OPINIONS = ("同意检察机关的审查意见，建议信访人息诉罢访。",
            "建议依法开展司法救助，并协调乡政府给予临时救助。",
            "事实清楚，处理意见合法合理，信访人的合理诉求已得到回应。")
# (kind, outcome, agreement status) for the demo hearings, oldest first.
HEARING_PLAN = (
    ("doorstep", "settled", "signed"), ("public", "settled", "signed"),
    ("doorstep", "settled", "signed"), ("simplified", "conciliated", "printed"),
    ("doorstep", "settled", "withdrawn"), ("doorstep", "continues", ""),
    ("public", "settled", "drafted"), ("simplified", "settled", "signed"),
    ("doorstep", "settled", "printed"), ("doorstep", "", ""),  # the last one is still planned
)


# Judicial aid in every state: (group, proposed, decision, amount decided, payments, facts).
# A payment is (yuan, payee relation, method); "reverse" undoes the payment before it.
AID_PLAN = (
    ("poor", "12000", "", "", (),
     "家中四口人靠放牧为生，牦牛因雪灾大量死亡，工程款又被拖欠，生活难以为继。"),
    ("minor", "8000", "approved", "", (),
     "父亲在交通事故中死亡，肇事方无力赔偿，两名子女尚未成年。"),
    ("disabled", "20000", "reduced", "15000", (("10000", "self", "cash"),),
     "信访人肢体残疾，丧失劳动能力，案件赔偿未能执行到位。"),
    ("victim_family", "40000", "approved", "",
     (("25000", "guardian", "bank"), ("15000", "guardian", "bank")),
     "被害人遇害身亡，家中老人和未成年子女无人抚养，被告人无赔偿能力。"),
    ("student", "5000", "refused", "", (), "申请人在校就读，家庭经济状况一般，已获其他助学资助。"),
    ("poor", "10000", "approved", "",
     (("10000", "relative", "cash"), ("reverse", "", ""), ("10000", "self", "bank")),
     "刑事案件致家庭主要劳动力受伤，医疗费用负担沉重。"),
    ("other", "6000", "approved", "", (("6000", "self", "cash"),),
     "草场纠纷中房屋被毁，冬季无处居住。"),
)
DECISION_REASONS = {"reduced": "部分损失已通过民事调解获得赔偿，按实际困难程度核定。",
                    "refused": "申请人已获其他救助，家庭经济状况不符合国家司法救助条件。"}


def _aid(store: Store) -> int:
    """Judicial aid cases at Darlag: proposed, approved and unpaid, reduced and partly paid,
    fully paid in two transfers to a guardian, refused, a payment reversed and paid again."""
    from app.aid import cases as aid
    from app.aid.cases import AidProposal, PaymentInput
    from app.core.money import parse_amount
    from models import Petition

    home = next(o for o in OFFICES if o.division_code == DEMO_OFFICE)
    with store.read() as session:
        staff = session.scalars(select(Staff).where(Staff.office_id == home.id)
                                .order_by(Staff.id)).all()
        chief = next(s.id for s in staff if s.role == "chief")
        deputy = next(s.id for s in staff if s.role == "deputy")
        procurators = [s.id for s in staff if s.role == "procurator"]
        candidates = session.execute(
            select(Petition.id, Petition.received_at).where(
                Petition.office_id == home.id, Petition.jurisdiction == "accept",
                Petition.is_group.is_(False), Petition.unanswerable == "",
                Petition.received_at >= THIS_YEARS_WINDOW())
            .order_by(Petition.received_at)).all()
    today = date.today()
    made = 0
    for index, ((petition_id, received_at), plan) in enumerate(
            zip(candidates[1::6], AID_PLAN, strict=False)):
        group, amount, decision, decided, payments, facts = plan
        received = date.fromisoformat(received_at[:10])
        proposed_on = min(received + timedelta(days=12), today)
        context_parties = _aid_parties(store, petition_id)
        case_id = aid.propose(store, AidProposal(
            petition_id, context_parties[:1], group, facts, amount,
            "符合《人民检察院国家司法救助工作细则》规定的救助条件，建议给予救助。",
            proposed_on.isoformat()), procurators[index % len(procurators)], today=today)
        made += 1
        if not decision:
            continue
        decided_on = min(proposed_on + timedelta(days=3), today)
        leader = chief if parse_amount(amount) > aid.DEFAULT_CHIEF_THRESHOLD_FEN else deputy
        aid.decide(store, case_id, decision, leader, decided, DECISION_REASONS.get(decision, ""),
                   now=datetime.combine(decided_on, time(16, 0)))
        paid_on = min(decided_on + timedelta(days=5), today)
        last = ""
        for yuan, relation, method in payments:
            if yuan == "reverse":
                # Found out two days later; the money is paid again the day after.
                paid_on = min(paid_on + timedelta(days=2), today)
                aid.reverse(store, last, "领款人登记错误，款项已退回，冲销后重新发放。",
                            procurators[0], today=paid_on)
                paid_on = min(paid_on + timedelta(days=1), today)
                continue
            detail = aid.aid_case_detail(store, case_id)
            person = detail.persons[0]
            payee = person.name_zh or person.name_bo
            if relation == "guardian":
                payee = "才让卓玛"
            elif relation == "relative":
                payee = "多杰"
            last = aid.pay(store, PaymentInput(
                case_id, yuan, paid_on.isoformat(), payee, relation, "", method,
                "青海省农村信用社达日县支行" if method == "bank" else "",
                "6230580000123456789" if method == "bank" else ""), procurators[0], today=today)
    return made


# Return visits to aid cases, by eligibility group: (method, days after the last payment or
# the decision — negative: planned that many days from today —, satisfaction, still in need,
# hand-over: "" none, "open" or "closed").
VISIT_PLAN = {
    "victim_family": ("on_site", 20, "satisfied", False, ""),
    "other": ("phone", 12, "basically", True, "open"),
    "poor": ("on_site", 15, "basically", True, "closed"),
    "disabled": ("phone", -2, "", False, ""),
    "minor": ("meeting", -0, "", False, ""),
}
VISIT_FINDINGS = {
    "satisfied": "救助金已用于安葬和子女上学，家属表示感谢，生活基本稳定。",
    "basically": "救助金已到位，但冬季草料短缺，家庭仍有困难，希望得到长期帮扶。",
}


def _visits(store: Store) -> None:
    """Return visits after aid: made (one satisfied, two still in need and handed over to social
    assistance, one of those closed), and planned ones that show in Today (due today, soon)."""
    from app.aid import cases as aid
    from app.aid import visits
    from app.aid.visits import HandoverInput, VisitInput
    from models import AidCase

    today = date.today()
    home = next(o for o in OFFICES if o.division_code == DEMO_OFFICE)
    with store.read() as session:
        cases = session.execute(select(AidCase.id, AidCase.petition_id, AidCase.eligibility)
                                .where(AidCase.office_id == home.id)
                                .order_by(AidCase.proposed_on, AidCase.id)).all()
        visitor = session.scalars(select(Staff.id).where(
            Staff.office_id == home.id, Staff.role == "procurator").order_by(Staff.id)).first()
    assert visitor is not None
    # A petition settled at a hearing gets a 12309 phone visit a month after signing.
    from models import Agreement

    with store.read() as session:
        signed = session.execute(select(Agreement.petition_id, Agreement.signed_on).where(
            Agreement.status == "signed").order_by(Agreement.signed_on)).first()
    if signed is not None:
        visits.record_visit(store, VisitInput(
            petition_id=signed[0], method="phone", visitor_id=visitor,
            done_on=min(date.fromisoformat(signed[1]) + timedelta(days=30), today).isoformat(),
            findings="信访人表示协议已履行，不再上访，对检察机关的处理表示满意。",
            satisfaction="satisfied"), today=today)
    seen: set[str] = set()
    for case_id, petition_id, group in cases:
        if group not in VISIT_PLAN or group in seen:
            continue
        seen.add(group)
        method, days, satisfaction, in_need, handover = VISIT_PLAN[group]
        detail = aid.aid_case_detail(store, case_id)
        data = VisitInput(petition_id=petition_id, aid_case_id=case_id, method=method,
                          visitor_id=visitor)
        if days <= 0:
            data.scheduled_on = (today + timedelta(days=-days)).isoformat()
            visits.schedule_visit(store, data)
            continue
        last = max([p.paid_on for p in detail.payments] or [detail.proposed_on])
        data.done_on = min(date.fromisoformat(last) + timedelta(days=days), today).isoformat()
        data.scheduled_on = data.done_on
        data.findings, data.satisfaction = VISIT_FINDINGS[satisfaction], satisfaction
        data.still_in_need = in_need
        visit_id = visits.record_visit(store, data, today=today)
        if handover:
            handed = min(date.fromisoformat(data.done_on) + timedelta(days=2), today)
            outcome = "乡民政所已受理，正在核查家庭收入情况。"
            closed = ""
            if handover == "closed":
                closed = min(handed + timedelta(days=10), today).isoformat()
                outcome = "已纳入农村最低生活保障，每月发放低保金。"
            visits.open_handover(store, HandoverInput(
                visit_id, "窝赛乡民政所" if handover == "open" else "达日县民政局",
                handed.isoformat(), outcome, closed), today=today)


def _aid_parties(store: Store, petition_id: str) -> list[str]:
    from models import PetitionParty

    with store.read() as session:
        return list(session.scalars(select(PetitionParty.person_id).where(
            PetitionParty.petition_id == petition_id, PetitionParty.deleted.is_(False))
            .order_by(PetitionParty.position)))


def _attach_signed_scan(store: Store, agreement_id: str, clerk_id: str) -> None:
    """A "scan" of the signed agreement's last page (the signatures), as an office would attach
    it: the printed page, greyed like a photocopy."""
    import tempfile
    from pathlib import Path

    from PIL import Image, ImageOps

    from app.hearings import attachments
    from app.papers import documents as papers
    last = papers.page_images(papers.render_agreement(store, agreement_id), dpi=60)[-1]
    with tempfile.TemporaryDirectory() as folder:
        scan = Path(folder) / "signed-agreement.png"
        scan.write_bytes(last)
        with Image.open(scan) as page:
            ImageOps.grayscale(page).rotate(0.8, fillcolor=235).save(scan)
        attachments.add_attachment(store, store.paths, "agreement", agreement_id, scan,
                                   staff_id=clerk_id)


def _hearings(store: Store, rng: random.Random, clerk_id: str) -> tuple[int, int]:
    """Hearings of each kind at Darlag, with their agreements in every state; the Tibetan-
    speaking petitioners get bilingual agreements and speak Tibetan in the minutes."""
    from app.hearings import agreements
    from app.hearings import record as hearings
    from app.hearings.record import HearingInput, OfficerInput
    from models import Petition

    home = next(o for o in OFFICES if o.division_code == DEMO_OFFICE)
    officer_ids = [hearings.save_officer(store, OfficerInput(
        home.id, name_zh, name_bo, role, _phone(rng), township))
        for name_bo, name_zh, role, township in OFFICERS]
    with store.read() as session:
        candidates = session.execute(
            select(Petition.id, Petition.received_at).where(Petition.office_id == home.id,
                                      Petition.jurisdiction == "accept",
                                      Petition.is_group.is_(False),
                                      Petition.unanswerable == "",
                                      Petition.received_at >= THIS_YEARS_WINDOW())
            .order_by(Petition.received_at)).all()
    today = date.today()
    now = datetime.now()
    held_count = agreed = 0
    chosen = candidates[3::5][:len(HEARING_PLAN)]
    for index, ((petition_id, received_at), (kind, outcome, status)) in enumerate(
            zip(chosen, HEARING_PLAN, strict=False)):
        context = hearings.hearing_context(store, petition_id)
        procurators = [s.id for s in context.staff if s.detail == "procurator"]
        host = procurators[index % len(procurators)]
        party = context.parties[0]
        speaks_bo = party.detail == "bo"
        officers = rng.sample(officer_ids, 3 if kind != "simplified" else 1)
        planned = not outcome
        received = date.fromisoformat(received_at[:10])
        held_on = (today + timedelta(days=6)) if planned else \
            min(received + timedelta(days=18 + index % 3 * 5), today - timedelta(days=1))
        if held_on < received:  # a petition from today: no hearing yet
            continue
        data = HearingInput(
            petition_id=petition_id, kind=kind,
            held_at=datetime.combine(held_on, time(10 + index % 4, 30)).isoformat(
                timespec="minutes"),
            host_id=host, procurator_ids=[p for p in procurators if p != host][:1],
            officer_ids=officers, party_ids=[party.id],
            interpreter="尼玛（藏汉翻译）" if speaks_bo else "")
        if kind == "doorstep":
            data.township = rng.choice(("窝赛乡", "德昂乡", "满掌乡", "建设乡"))
            data.village = data.township[:-1] + "牧委会"
            data.herding_group = rng.choice(HERDING_GROUPS)
            data.place = rng.choice(("信访人家中帐篷", "夏季牧场定居点", "牧委会活动室"))
        else:
            data.place = "达日县人民检察院听证室"
        if not planned:
            for who, zh, bo in STATEMENTS:
                key = {"procurator": ("procurator", host), "party": ("party", party.id),
                       "officer": ("officer", officers[0])}[who]
                data.statements.append((key, bo if speaks_bo and bo else zh))
            data.opinions = {o: OPINIONS[(index + n) % len(OPINIONS)]
                             for n, o in enumerate(officers)}
            data.outcome = outcome
            data.outcome_note = {"settled": "签订息诉罢访协议书，同步开展司法救助。",
                                 "conciliated": "双方和解，检察院跟踪回访。",
                                 "continues": "信访人不同意处理意见，继续调查核实。"}[outcome]
        hearing_id = hearings.record_hearing(store, data, clerk_id, now=now)
        held_count += 1
        if not status:
            continue
        agreement_id = agreements.draft_agreement(store, store.paths, hearing_id, clerk_id)
        agreed += 1
        if status in ("printed", "signed"):
            agreements.mark_printed(store, agreement_id)
        if status == "signed":
            agreements.mark_signed(store, agreement_id,
                                   (held_on + timedelta(days=index % 2)).isoformat(), clerk_id,
                                   today=today)
            _attach_signed_scan(store, agreement_id, clerk_id)
        elif status == "withdrawn":
            agreements.withdraw(store, agreement_id, clerk_id)
    return held_count, agreed


# -- what the statistics count beyond replies ------------------------------------------------------
@dataclass(frozen=True)
class _Handled:
    id: str
    received: date
    business_type: str
    is_group: bool
    answered_on: str
    resolution: str
    summary: str


def _handled(store: Store, since: date, until: date) -> list[_Handled]:
    """The Darlag office's answerable petitions taken into case handling, received between
    ``since`` and ``until``, in the order they were registered."""
    from models import Petition

    home = next(o for o in OFFICES if o.division_code == DEMO_OFFICE)
    with store.read() as session:
        rows = session.execute(select(
            Petition.id, Petition.received_at, Petition.business_type, Petition.is_group,
            Petition.answer_done_on, Petition.resolution, Petition.summary).where(
            Petition.office_id == home.id, Petition.jurisdiction == "accept",
            Petition.unanswerable == "", Petition.deleted.is_(False),
            Petition.received_at >= since.isoformat(),
            Petition.received_at < (until + timedelta(days=1)).isoformat())
            .order_by(Petition.received_at, Petition.reg_seq)).all()
    return [_Handled(r[0], date.fromisoformat(r[1][:10]), r[2], r[3], r[4] or "", r[5], r[6])
            for r in rows]


def _outcomes(store: Store, clerk_id: str) -> None:
    """This year's resolutions and what came of the petitions: conciliations (one confirmed by
    the court) and a mediation, two wage recoveries, a petition taken upwards and one in Beijing,
    a lawyer and a psychologist who helped, a lead passed to the discipline commission. Recorded
    through the app's use cases, so each leaves its history entry and sync versions."""
    from app.petitions import outcomes
    from app.petitions.outcomes import (
        ConciliationInput,
        EscalationInput,
        HelperInput,
        LawsuitInput,
        LeadInput,
    )

    today = date.today()
    found = _handled(store, today - timedelta(days=130), today)
    used: set[str] = set()

    def day(p: _Handled, after: int) -> str:
        return min(p.received + timedelta(days=after), today).isoformat()

    def first(test: Callable[[_Handled], bool], count: int = 1) -> list[_Handled]:
        chosen = [p for p in found if p.id not in used and test(p)][:count]
        used.update(p.id for p in chosen)
        return chosen

    # Resolutions: most answered petitions were resolved, some settled and withdrawn; those
    # settled at a hearing were already settled when the agreement was signed.
    answered = [p for p in found if p.answered_on and not p.resolution]
    for index, p in enumerate(answered):
        if index % 4 == 3:
            continue  # answered, but the petitioner is not satisfied yet
        outcomes.record_resolution(store, p.id, "settled" if index % 3 == 0 else "resolved",
                                   p.answered_on, clerk_id, today=today)

    # Wage recovery for migrant workers: part of the group visit's workers, then a small crew.
    for p in first(lambda p: p.is_group):
        outcomes.add_lawsuit_support(store, p.id, LawsuitInput(
            True, "12", "214000.00", True, day(p, 45),
            "支持12名农民工起诉，协助县劳动保障监察大队督促建设单位支付拖欠工资。"), clerk_id,
            today=today)
    for p in first(lambda p: p.business_type == "support_lawsuit" and "工资" in p.summary):
        outcomes.add_lawsuit_support(store, p.id, LawsuitInput(
            True, "5", "38500.00", False, day(p, 40),
            "支持起诉后双方在法院主持下达成调解，工资已付清。"), clerk_id, today=today)
    # Conciliation of grassland disputes (one confirmed by the court), mediation of a sale.
    civil = first(lambda p: p.business_type == "civil_supervision", 2)
    for index, p in enumerate(civil):
        confirmed = index == 0
        outcomes.add_conciliation(store, p.id, ConciliationInput(
            "conciliation", day(p, 20), confirmed, day(p, 30) if confirmed else "",
            "双方就草场界线达成和解协议。"), clerk_id, today=today)
    for p in first(lambda p: p.business_type == "support_lawsuit" and "合作社" in p.summary):
        outcomes.add_conciliation(store, p.id, ConciliationInput(
            "mediation", day(p, 15), note="经乡人民调解委员会调解，合作社同意分期付款。"),
            clerk_id, today=today)
    # Escalation: a criminal appeal taken to the province, and one petitioner in Beijing.
    appeals = first(lambda p: p.business_type == "criminal_appeal" and not p.answered_on, 2) \
        or first(lambda p: p.business_type == "criminal_appeal", 2)
    for index, p in enumerate(appeals):
        kind, level = ("upward", "province") if index == 0 else ("abnormal", "beijing")
        outcomes.add_escalation(store, p.id, EscalationInput(
            kind, level, day(p, 25), "信访人对复查进度不满，" + (
                "向省检察院反映。" if index == 0 else "赴京非正常上访，已由驻京工作组接返。")),
            clerk_id, today=today)
    # Outside helpers: a lawyer on a grassland dispute, a psychologist for a bereaved family.
    for p in first(lambda p: p.business_type in ("civil_supervision", "administrative")):
        outcomes.add_helper(store, p.id, HelperInput(
            "lawyer", "李明远（青海三江源律师事务所）", day(p, 10), "参与释法说理，提供法律咨询。"),
            clerk_id, today=today)
    for p in first(lambda p: p.business_type == "judicial_aid"):
        outcomes.add_helper(store, p.id, HelperInput(
            "psychologist", "才让措（县心理健康服务站）", day(p, 14),
            "为信访人及子女开展心理疏导。"), clerk_id, today=today)
    # A lead found in an accusation, passed to the county discipline commission.
    for p in first(lambda p: "优亲厚友" in p.summary):
        outcomes.add_lead_transfer(store, p.id, LeadInput(
            "县纪委监委", day(p, 8), "村干部涉嫌在补助发放中优亲厚友，移送县纪委监委处理。"),
            clerk_id, today=today)


def _year_before(day: date) -> date:
    return date(day.year - 1, 2, 28) if (day.month, day.day) == (2, 29) else \
        day.replace(year=day.year - 1)


def _last_year(store: Store, rng: random.Random, clerk_id: str, count: int) -> int:
    """Petitions received in the same days a year earlier, all answered by now: most replied
    within 7 days and answered within 3 months, some late; many resolved; one wage recovery."""
    from app.persons.records import PersonInput
    from app.petitions import outcomes
    from app.petitions.intake import PetitionInput, record_reply, register
    from app.petitions.outcomes import LawsuitInput

    if count <= 0:
        return 0
    home = next(o for o in OFFICES if o.division_code == DEMO_OFFICE)
    with store.read() as session:
        people = session.scalars(select(Person).where(Person.county == county_name(home))
                                 .order_by(Person.id)).all()
        procurators = [s.id for s in session.scalars(select(Staff).where(
            Staff.office_id == home.id, Staff.role == "procurator"))]
    today = date.today()
    now = datetime.combine(today, time(17, 30))
    made = 0
    for i in range(count):
        age = int(120 * (1 - i / count))
        received = datetime.combine(_year_before(today - timedelta(days=age)),
                                    time(8 + rng.randrange(0, 9), rng.choice((0, 15, 30, 45))))
        person = people[(i * 5 + 2) % len(people)]
        category, business, summary, requests = MATTERS[(i + 3) % len(MATTERS)]
        data = PetitionInput(
            channel=rng.choice(("visit", "visit", "phone", "letter", "letter", "web")),
            received_at=received.isoformat(timespec="minutes"),
            persons=[PersonInput(existing_id=person.id, name_bo=person.name_bo,
                                 name_zh=person.name_zh,
                                 preferred_language=person.preferred_language,
                                 needs_interpreter=person.needs_interpreter)],
            category=category, business_type=business, summary=summary, requests=requests,
            jurisdiction="accept", handling_procurator_id=rng.choice(procurators))
        if i % 9 == 4:
            data.jurisdiction, data.referral_body = "refer", rng.choice(REFERRALS)
            data.referral_note = "该事项不属于检察机关管辖，已告知信访人向有权机关反映。"
        done = register(store, data, clerk_id, now=now)
        made += 1
        day = received.date()
        late_reply, late_answer = i % 8 == 3, i % 10 == 6
        record_reply(store, done.id, "procedural",
                     day + timedelta(days=rng.randrange(12, 17) if late_reply
                                     else rng.randrange(0, 5)),
                     rng.choice(("phone", "in_person", "written")), rng.choice(REPLIES),
                     clerk_id, today=today)
        answered = day + timedelta(days=rng.randrange(100, 116) if late_answer
                                   else rng.randrange(30, 81))
        record_reply(store, done.id, "result", answered, rng.choice(("in_person", "written")),
                     rng.choice(ANSWERS), clerk_id, today=today)
        if data.jurisdiction == "accept" and i % 3 != 2:
            outcomes.record_resolution(store, done.id, "settled" if i % 4 == 0 else "resolved",
                                       answered.isoformat(), clerk_id, today=today)
        if business == "support_lawsuit" and "工资" in summary and i < 10:
            outcomes.add_lawsuit_support(store, done.id, LawsuitInput(
                True, "3", "21000.00", True, (day + timedelta(days=50)).isoformat(),
                "协助劳动监察部门追回拖欠工资。"), clerk_id, today=today)
    return made
