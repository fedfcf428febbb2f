"""Reference data: the procuratorates of Golog (果洛) Tibetan Autonomous Prefecture, Qinghai.

Offices get ids derived from their division code, so two laptops that set up the same office on
their own end up with the same record.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

_NAMESPACE = uuid.UUID("5f0c3d52-7a8e-4c1e-9a57-d00257e90000")


@dataclass(frozen=True)
class OfficeSeed:
    division_code: str
    level: str
    name_zh: str
    name_bo: str
    short_zh: str
    # Townships of the county (Chinese names), for addresses in demo data.
    townships: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return str(uuid.uuid5(_NAMESPACE, self.division_code))


PREFECTURE = OfficeSeed("632600", "prefecture", "果洛藏族自治州人民检察院",
                        "མགོ་ལོག་བོད་རིགས་རང་སྐྱོང་ཁུལ་མི་དམངས་ཞིབ་ཚགས་ཁང་།", "果检")

COUNTIES = (
    OfficeSeed("632621", "county", "玛沁县人民检察院", "རྨ་ཆེན་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་།", "玛检",
               ("大武镇", "拉加镇", "大武乡", "东倾沟乡", "雪山乡", "下大武乡", "优云乡",
                "当洛乡")),
    OfficeSeed("632622", "county", "班玛县人民检察院", "པད་མ་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་།", "班检",
               ("赛来塘镇", "多贡麻乡", "马可河乡", "吉卡乡", "达卡乡", "知钦乡", "江日堂乡",
                "亚尔堂乡", "灯塔乡")),
    OfficeSeed("632623", "county", "甘德县人民检察院", "དགའ་བདེ་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་།", "甘检",
               ("柯曲镇", "上贡麻乡", "下贡麻乡", "岗龙乡", "青珍乡", "江千乡", "下藏科乡")),
    OfficeSeed("632624", "county", "达日县人民检察院", "དར་ལག་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་།", "达检",
               ("吉迈镇", "满掌乡", "德昂乡", "窝赛乡", "莫坝乡", "上红科乡", "下红科乡", "建设乡",
                "桑日麻乡", "特合土乡")),
    OfficeSeed("632625", "county", "久治县人民检察院", "གཅིག་སྒྲིལ་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་།", "久检",
               ("智青松多镇", "门堂乡", "哇赛乡", "索乎日麻乡", "白玉乡", "哇尔依乡")),
    OfficeSeed("632626", "county", "玛多县人民检察院", "རྨ་སྟོད་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་།", "玛多检",
               ("玛查理镇", "花石峡镇", "黄河乡", "扎陵湖乡")),
)

OFFICES = (PREFECTURE, *COUNTIES)


def county_name(seed: OfficeSeed) -> str:
    """玛沁县人民检察院 -> 玛沁县."""
    return seed.name_zh.removesuffix("人民检察院")
