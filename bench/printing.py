"""Printing speed: 100 bilingual settle-and-withdraw agreements.

Each agreement is rendered by Doorstep's own code (``reports.hearing_papers.render_agreement``:
Tibetan-aware line breaking measured with HarfBuzz, every Tibetan run shaped) and, beside it, the
floor: ReportLab drawing the same paragraphs, with the same fonts, sizes, leading and margins, as
plain ``Paragraph``s with shaping off and ReportLab's own line breaking (which is what misplaces
vowel signs and breaks before a tsheg; it is here only as the fastest anything could be). Prints
the per-document times (median of the runs) and their ratio.

    ./dev bench printing [--count 100] [--runs 3]
"""

from __future__ import annotations

import argparse
import html
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate

from app.core import i18n
from app.core.fonts import shipped_fonts
from app.hearings.agreements import SCRIPTS, fill_section, parse_template, shipped_template
from demo.generate import NAME_PARTS
from reports import layout
from reports.hearing_papers import AgreementData, AgreementParty, render_agreement
from reports.notices import BOTTOM, LEFT, RIGHT, TOP, Both
from reports.paper import Paper, SignatureRow


def agreements(count: int, rng: random.Random) -> list[AgreementData]:
    """``count`` bilingual agreements drafted from the shipped templates, with different
    petitioners, matters and clause counts."""
    templates = {script: parse_template(shipped_template(script).read_text(encoding="utf-8"),
                                        str(shipped_template(script)), script)
                 for script in SCRIPTS}
    result = []
    for number in range(1, count + 1):
        people = rng.sample(NAME_PARTS, rng.randint(1, 2))
        names = Both("、".join(p[1] for p in people), "  ".join(p[0] for p in people))
        values = {
            "zh": {"office": "达日县人民检察院", "petitioners": names.zh,
                   "reg_no": f"达检信〔2026〕{number}号", "received": "2026年10月1日",
                   "summary": "草场承包纠纷，工程款被拖欠" * rng.randint(1, 4),
                   "requests": "请求支持起诉", "hearing_date": "2026年10月29日",
                   "place": "窝赛乡查干村二社 信访人家中帐篷", "host": "桑杰拉毛"},
            "bo": {"office": "དར་ལག་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང", "petitioners": names.bo,
                   "reg_no": f"达检信〔2026〕{number}号", "received": "ཕྱི་ལོ་2026 ཟླ་བ་བཅུ་པའི་ཚེས་1",
                   "summary": "草场承包纠纷", "requests": "请求支持起诉",
                   "hearing_date": "ཕྱི་ལོ་2026 ཟླ་བ་བཅུ་པའི་ཚེས་29",
                   "place": "窝赛乡查干村二社", "host": "སངས་རྒྱས་ལྷ་མོ"},
        }
        sections = {script: {name: fill_section(text, values[script], script)
                             for name, text in templates[script].items()}
                    for script in SCRIPTS}
        extra = rng.randint(0, 3)
        for script in SCRIPTS:
            clause = ("协调发放司法救助金。" if script == "zh"
                      else "ཁྲིམས་དོན་རོགས་སྐྱོར་གྱི་དངུལ་སྤྲོད་རྒྱུར་མཐུན་སྒྲིལ་བྱེད།")
            sections[script]["office"] += ("\n" + clause) * extra
        result.append(AgreementData(
            office=Both("达日县人民检察院", "དར་ལག་རྫོང་མི་དམངས་ཞིབ་ཚགས་ཁང་།"),
            reg_no=f"达检信〔2026〕{number}号",
            parties=[AgreementParty(Both(p[1], p[0]), f"6326241985031{number:04d}1", "达日县吉迈镇")
                     for p in people],
            matter=Both(sections["zh"]["matter"], sections["bo"]["matter"]),
            office_terms=Both(sections["zh"]["office"], sections["bo"]["office"]),
            petitioner_terms=Both(sections["zh"]["petitioner"], sections["bo"]["petitioner"]),
            closing=Both(sections["zh"]["closing"], sections["bo"]["closing"]),
            agreed_on=Both("2026年10月29日", "ཕྱི་ལོ་2026 ཟླ་བ་བཅུ་པའི་ཚེས་29"),
            place="窝赛乡查干村二社 信访人家中帐篷", procurator=Both("桑杰拉毛", "སངས་རྒྱས་ལྷ་མོ"),
            bilingual=True))
    return result


def _stories(data: list[AgreementData]) -> list[list[tuple[str, float, float]]]:
    """The paragraphs each agreement prints: (text, size, leading), as Doorstep lays them out."""
    stories: list[list[tuple[str, float, float]]] = []
    original = Paper.build

    def capture(paper: Paper, title: str, author: str, subject: str) -> bytes:
        found: list[tuple[str, float, float]] = []

        def walk(flowables: list[Flowable]) -> None:
            for f in flowables:
                if isinstance(f, layout.ScriptParagraph):
                    found.append((f.text, f.size, f.leading))
                elif isinstance(f, SignatureRow):
                    found.extend((label, f.size, f.leading) for label in f.labels)
                elif isinstance(f, KeepTogether):
                    walk(f._content)
        walk(paper.story)
        stories.append(found)
        return b""

    Paper.build = capture  # type: ignore[method-assign]
    try:
        for agreement in data:
            render_agreement(agreement, i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO),
                             shipped_fonts())
    finally:
        Paper.build = original  # type: ignore[method-assign]
    return stories


def floor(story: list[tuple[str, float, float]]) -> bytes:
    """ReportLab alone: the same paragraphs, each run in its face, no shaping, its own wrapping."""
    flowables = []
    for text, size, leading in story:
        markup = "".join(f'<font face="{face}">{html.escape(part, quote=False)}</font>'
                         for face, part in layout.runs(text))
        style = ParagraphStyle(f"floor-{size}-{leading}", fontName=layout.CHINESE_FONT,
                               fontSize=size, leading=leading, shaping=0)
        flowables.append(Paragraph(markup, style))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, topMargin=TOP, bottomMargin=BOTTOM, leftMargin=LEFT,
                      rightMargin=RIGHT).build(flowables)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(4)
    data = agreements(args.count, rng)
    zh, bo = i18n.catalog(i18n.ZH), i18n.catalog(i18n.BO)
    fonts = shipped_fonts()
    layout.register_fonts(fonts)
    render_agreement(data[0], zh, bo, fonts)  # fonts loaded, caches warm, for both sides
    stories = _stories(data)
    floor(stories[0])

    ours, plain, pages = [], [], 0
    for _run in range(args.runs):
        start = time.perf_counter()
        for agreement in data:
            pdf = render_agreement(agreement, zh, bo, fonts)
            pages += pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ")
        ours.append((time.perf_counter() - start) / len(data))
        start = time.perf_counter()
        for story in stories:
            floor(story)
        plain.append((time.perf_counter() - start) / len(data))
    ours_ms, plain_ms = statistics.median(ours) * 1000, statistics.median(plain) * 1000
    paragraphs = statistics.mean(len(story) for story in stories)
    print(f"{len(data)} bilingual agreements, {paragraphs:.0f} paragraphs and "
          f"{pages / args.runs / len(data):.1f} pages each on average, median of {args.runs} "
          f"runs")
    print(f"{'':38}{'per document':>14}")
    print(f"{'Doorstep (shaped, Tibetan-aware)':38}{ours_ms:>11.1f} ms")
    print(f"{'ReportLab alone, shaping off (floor)':38}{plain_ms:>11.1f} ms")
    print(f"{'ratio':38}{ours_ms / plain_ms:>12.2f}x")


if __name__ == "__main__":
    main()
