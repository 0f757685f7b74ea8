"""The image-text signal: what a stranger can read in the photo itself, in Korean and English.

In the 2024 Korean deepfake cases, victims' schools, workplaces, phone numbers and addresses were
spread alongside the fakes. A photo can show them as plainly as a caption: a student or employee ID
card, a name tag, a school gate, a poster with a phone number, a car's plate. Tesseract reads the
text (Debian: tesseract-ocr, tesseract-ocr-kor; Python: pytesseract, imported only when needed); the
caption rules (caption_text.find_spans) find the facts in it, plus three only a picture shows: ID
cards, name tags and licence plates.

Reading is audit/text/ocr.py's: where text can be, and what tesseract read there.
"""

from __future__ import annotations

import heapq
import re
import statistics
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterator

import numpy as np

from ..inventory import imaging, video
from ..models import Finding
from ..words import N_, say
from ..text.layout import PRECHECK_SIDE, where_to_read
from ..text.ocr import COST, LANGUAGES, OCR_SIDE, TESSERACT_CONFIG, Line, box_of, lines_of, read_regions, tesseract_status
from .base import Signal, Weight
from .caption_text import CLUE_NAMES, EVENTS, IDENTITY_CLUES, SEVERITY, clue, find_spans

if TYPE_CHECKING:
    import sqlite_utils
    from PIL import Image

    from ..inventory.photo import PhotoView

VIDEO_FRAMES_READ = 3  # a video's sharpest sampled frames that are read (_read_video)

# --- What to look for, beyond the caption rules ---------------------------------------------------
# The caption kinds worth reporting when they are read in a photo (not mentions or hashtags: a
# watermark with the user's own handle is no news).
CAPTION_KINDS = {
    "phone", "email", "address", "student_number", "school", "university", "workplace", "home", "event",
}
# Common Korean surnames (in the 2015 census the first ten alone were about 64% of people). After 이름
# or 성명 with a colon, any two to four syllables are a name; without one, only those starting with a
# surname are, which "이름 짓기" (naming) is not.
SURNAMES = "김이박최정강조윤장임한오서신권황안송류유전홍고문양손배백허남심노하곽성차주우구민진나지엄채원천방공현함변염여추도소석선설마길연위표명기반라왕금옥육인맹제모탁국"
# The middle syllable of a Korean plate: private cars, rentals (하허호), commercial (바사아자), delivery (배).
PLATE_SYLLABLES = "가나다라마거너더러머버서어저고노도로모보소오조구누두루무부수우주바사아자배하허호"
PLATE_REGIONS = "서울|부산|대구|인천|광주|대전|울산|세종|경기|강원|충북|충남|전북|전남|경북|경남|제주"
# Who a birthday is for: a capitalised word or a Korean given or full name, not the words that take that place
# in a greeting (HAPPY BIRTHDAY TO YOU, 엄마 생일 축하해, 오늘은 생일).
# One rule holds every pattern of a kind, so each group name is numbered where it comes twice (_details drops the number).
NOT_NAMES_EN = "to|you|mom|mum|dad|mother|father|sister|brother|baby|my|our|me|everyone|and|grandma|grandpa"
NOT_NAMES_KO = "엄마|아빠|언니|오빠|누나|우리|오늘은|모두|친구|동생|할머니|할아버지|나의|너의|당신|내"


def name_en(n: int, first: bool = False) -> str:
    """A name; `first`: one that begins its pattern, so it begins a word (else a run of capitals is read again
    from each of its letters: 20,000 of them took 7 s)."""
    start = "(?<![A-Za-z'-])" if first else ""
    return rf"{start}(?!(?:{NOT_NAMES_EN})(?![A-Za-z]))(?P<person{n}>(?-i:[A-Z][A-Za-z'-]+))(?![A-Za-z])"


def name_ko(n: int) -> str:
    return rf"(?<![가-힣])(?!(?:{NOT_NAMES_KO})(?![가-힣]))(?P<person{n + 2}>[가-힣]{{2,4}}?)"


def age_en(n: int) -> str:
    """An age as a birthday's ordinal: 20TH, 21st."""
    return rf"(?P<age{n}>\d{{1,3}})(?:st|nd|rd|th)"


AGE_KO = r"(?P<age3>\d{1,2}) (?:살|번째)"  # 20살, 20번째
# A sign that is nothing but a company's name: HANGANG DESIGN LAB, Hangang Design Lab. Whole lines only and
# in their case: "design lab" inside a sentence is no sign, and POST OFFICE or WELCOME TO THE LAB name no
# employer.
COMPANY_WORDS = ["LABS?", "STUDIOS?", "DESIGN", r"CORP\.?", r"INC\.?", r"CO\.", "COMPANY", "OFFICE", "AGENCY", "GROUP",
                 r"LTD\.?"]  # fmt: skip
NOT_COMPANY = r"(?!.*\b(?:WELCOME|TO|AT|THE|OF|MY|OUR|HAPPY|POST|BOX|TICKET|FOR)\b)"
WORKPLACE_SIGN = re.compile(
    rf"^{NOT_COMPANY}(?P<name>(?:[A-Z][A-Z&'-]*\s+){{1,3}}(?:{'|'.join(COMPANY_WORDS)}))$|"
    rf"^{NOT_COMPANY.title()}(?P<title>(?:[A-Z][a-z&'-]*\s+){{1,3}}(?:{'|'.join(w.title() for w in COMPANY_WORDS)}))$"
)
# A space in these patterns matches any spacing or none: OCR spacing is unreliable. A kind's patterns
# are tried as one, in order, so that each stretch of text is one finding: put the longer ones first.
IMAGE_KEYWORDS: dict[str, list[str]] = {
    "id_card": [
        "학생증", "사원증", "교직원증", "공무원증", "신분증", "출입증", "주민등록증", "운전면허증",
        r"(?:사번|사원 번호|직원 번호) [:：]? \d{3,10}(?!\d)",
        r"(?<![A-Za-z])(?:student|employee|staff) id(?: card)?(?![A-Za-z])",
        r"(?<![A-Za-z])(?:student|employee|staff|identity|identification|id) card(?![A-Za-z])",
        r"(?<![A-Za-z])employee (?:no\.?|number) [:#]? \d{3,10}(?!\d)",
        r"(?<![A-Za-z])driver'?s? licen[cs]e(?![A-Za-z])",
    ],
    "name_tag": [
        rf"(?:이름|성명) (?:[:：] [가-힣]{{2,4}}|[{SURNAMES}][가-힣]{{1,3}})(?![가-힣])",
        r"(?<![A-Za-z])name [:：] (?-i:[A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+){0,2})",
        r"(?<![A-Za-z])my name is (?-i:[A-Z][A-Za-z'-]+)",
        # A name on a birthday cake, banner or card, with the age when it is written: HAPPY 20TH BIRTHDAY MINJI.
        rf"(?<![A-Za-z])happy (?:{age_en(1)} )?birthday,? (?:dear )?{name_en(1)}",
        rf"{name_en(2, first=True)}'s (?:{age_en(2)} )?birthday(?![A-Za-z])",
        rf"{name_ko(1)}(?:야|아)? (?:{AGE_KO} )?생일 축하",
        rf"생일 축하해 {name_ko(2)}(?:야|아)(?![가-힣])",
    ],
    "licence_plate": [
        rf"(?<![\d가-힣])(?:(?:{PLATE_REGIONS}) )?\d{{2,3}} [{PLATE_SYLLABLES}] \d{{4}}(?!\d)",
    ],
}
IMAGE_RULES = {
    kind: re.compile("|".join(f"(?:{p})" for p in patterns).replace(" ", r"\s*"), re.IGNORECASE)
    for kind, patterns in IMAGE_KEYWORDS.items()
}
# Caption kinds that an ID card's own words also match (학생증, STUDENT ID; 사원증): said once, as the card.
ID_CARD_WORDS = {"student_number", "workplace"}

SEVERITY_OF = {**SEVERITY, "id_card": "high", "name_tag": "medium", "licence_plate": "medium"}
# Each finding's summary; it quotes what was read. An event is named by caption_text.EVENTS.
SUMMARY = {
    "id_card": N_('Photo shows an ID card: "%(quote)s"'),
    "name_tag": N_('Photo shows a written name: "%(quote)s"'),
    "licence_plate": N_('Photo shows a licence plate: "%(quote)s"'),
    "phone": N_('Photo shows a phone number: "%(quote)s"'),
    "email": N_('Photo shows an e-mail address: "%(quote)s"'),
    "address": N_('Photo shows an address: "%(quote)s"'),
    "student_number": N_('Photo shows a student number or ID: "%(quote)s"'),
    "school": N_('Photo shows text about a school: "%(quote)s"'),
    "university": N_('Photo shows text about a university: "%(quote)s"'),
    "workplace": N_('Photo shows text about work: "%(quote)s"'),
    "home": N_('Photo shows text about home: "%(quote)s"'),
    "event": N_('Photo shows text about %(event)s: "%(quote)s"'),
}
NAMED = {
    "school": N_('Photo names a school: "%(quote)s"'),
    "university": N_('Photo names a university: "%(quote)s"'),
    "workplace": N_('Photo names a company or workplace: "%(quote)s"'),
}

class ImageTextSignal(Signal):
    name = "image-text"
    # 2: findings carry their words; 3: only lines of text are read, each at its own threshold; 4: caption-text 3
    # rules; 5: caption-text 4 rules, company signs, names on birthday cakes and cards (and the age), names read
    # less surely beside sure words, videos (their sharpest sampled frames)
    version = 5
    title = N_("Text visible in photos")
    description = ("ID cards, name tags, schools, workplaces, phone numbers, addresses and plates readable in the photo "
                   "or a video's sharpest frames (OCR).")
    example = "examples/image-text.jpg"
    reads_pixels = True
    roles = {
        # The caption's identity clues, and what only a picture shows: an ID card, a written name.
        "identity_clue": IDENTITY_CLUES | {"id_card", "name_tag"},
    }
    kind_names = {**CLUE_NAMES, "id_card": N_("ID card"), "name_tag": N_("a written name")}
    weights = {
        "id_card": Weight(25, 25, N_("An ID card in the picture: student ID is rated 3.79/5 sensitive and national ID 4.25/5 (VISPR).")),
        "student_number": clue("student_number", N_("A student number in the picture: student ID details are rated 3.79/5 sensitive (VISPR) and tie the photo to a school.")),
        "address": clue("address", N_("An address readable in the picture: full home address is rated 4.18/5 sensitive (VISPR).")),
        "phone": clue("phone", N_("A phone number readable in the picture lets a stranger contact or harass the person directly.")),
        "email": clue("email", N_("An e-mail address readable in the picture links it to other accounts and to direct contact.")),
        "school": clue("school", N_("A school name in the picture (sign, uniform, card): rooms were organised by school (Korean cases, 2024).")),
        "university": clue("university", N_("A university name in the picture: education history is rated 2.92/5 (VISPR).")),
        "workplace": clue("workplace", N_("A workplace in the picture (badge, sign): perpetrators were often colleagues.")),
        "home": clue("home", N_("Words in the picture that mark home tell a stranger where the person lives.")),
        "name_tag": Weight(15, 15, N_("A name readable in the picture: rooms spread victims' names with the images.")),
        "licence_plate": Weight(10, 10, N_("A licence plate ties the photo to a car and the places it is parked (the project's choice; the risk model gives no figure).")),
        "event": clue("event", N_("Graduation, wedding, family and classroom photos were the ones taken in the Korean cases.")),
    }

    def __init__(self) -> None:
        self.unavailable: str | None = "prepare() has not run"

    def prepare(self, db: "sqlite_utils.Database") -> str:
        """Without tesseract or its Korean data, the signal says so once and reads nothing."""
        self.unavailable, version = tesseract_status()
        if self.unavailable:
            return f"unavailable: {self.unavailable}"
        return f"{version} {LANGUAGES} {TESSERACT_CONFIG}"

    def analyze(self, photo: "PhotoView") -> Iterator[Finding]:
        if self.unavailable or photo.status != "ok":
            return
        if photo.media_type == "image":
            yield from _read(photo.reduced(PRECHECK_SIDE), lambda: photo.reduced(OCR_SIDE))
        elif photo.media_type == "video" and photo.has_file and not video.is_cover(photo.data):
            yield from _read_video(photo.data)


def _read(small: "Image.Image", large: "Callable[[], Image.Image]", frame_s: float | None = None) -> list[Finding]:
    """The findings in one picture: `small` says where text can be, `large()` is read there."""
    start = time.perf_counter()
    reason, regions = where_to_read(small)
    COST.check_seconds.append(time.perf_counter() - start)
    if reason:
        COST.skipped[reason] += 1
        return []
    start = time.perf_counter()
    image = large()
    words = read_regions(image, regions, image.width / small.width)
    findings = list(_findings(lines_of(words), image.size, frame_s))
    COST.read_seconds.append(time.perf_counter() - start)
    return findings


def _read_video(data: bytes) -> Iterator[Finding]:
    """What the sharpest sampled frames of a video show in writing (a caption burnt in, a sign, a name tag), each
    fact once, from the first of those frames that shows it. Text on a reel stays for seconds, so the sharpest
    few frames hold it: reading every sampled frame would cost a second each for the same words."""
    # nlargest keeps only the best few while the frames stream by: a long video's frames never sit in memory at once.
    frames = heapq.nlargest(VIDEO_FRAMES_READ, video.frames(data), key=lambda frame: _sharpness(frame.image))
    seen: set[tuple[str, str]] = set()
    for frame in sorted(frames, key=lambda frame: frame.time_s):
        small = imaging.reduced(frame.image, PRECHECK_SIDE)
        for finding in _read(small, lambda: imaging.reduced(frame.image, OCR_SIDE), frame.time_s):
            if (finding.kind, finding.evidence["quote"]) not in seen:
                seen.add((finding.kind, finding.evidence["quote"]))
                yield finding


def _sharpness(image: "Image.Image") -> float:
    """Variance of the Laplacian of the frame's grey thumbnail: motion blur and fades score low."""
    grey = np.asarray(imaging.reduced(image, PRECHECK_SIDE).convert("L"), dtype=np.float32)
    laplacian = grey[1:-1, :-2] + grey[1:-1, 2:] + grey[:-2, 1:-1] + grey[2:, 1:-1] - 4 * grey[1:-1, 1:-1]
    return float(laplacian.var())


@dataclass
class _Match:
    kind: str
    start: int
    end: int
    details: dict[str, Any]


def _matches(text: str) -> list[_Match]:
    """The caption rules' facts and the picture-only ones, in reading order."""
    own = [_Match(kind, m.start(), m.end(), _details(m)) for kind, rule in IMAGE_RULES.items() for m in rule.finditer(text)]
    own += [_Match("workplace", m.start(), m.end(), {"name": m.group(0)}) for m in [WORKPLACE_SIGN.match(text)] if m]
    cards = [m for m in own if m.kind == "id_card"]
    caption = [
        _Match(s.kind, s.start, s.end, s.details)
        for s in find_spans(text)
        if s.kind in CAPTION_KINDS
        and not (s.kind in ID_CARD_WORDS and any(c.start <= s.start and s.end <= c.end for c in cards))
    ]
    return sorted([*own, *caption], key=lambda m: (m.start, m.kind))


def _details(match: re.Match[str]) -> dict[str, Any]:
    """Who a name tag names and the age written with it."""
    found = {key.rstrip("0123456789"): value for key, value in match.groupdict().items() if value}
    return {**found, **({"age": int(found["age"])} if "age" in found else {})}


def _findings(lines: list[Line], size: tuple[int, int], frame_s: float | None) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    for line in lines:
        for match in _matches(line.text):
            quote = line.text[match.start : match.end]
            if (match.kind, quote) not in seen:
                seen.add((match.kind, quote))
                yield _finding(match, quote, line, size, frame_s)


def _finding(match: _Match, quote: str, line: Line, size: tuple[int, int], frame_s: float | None) -> Finding:
    words = [
        word
        for word, start in zip(line.words, line.starts)
        if start < match.end and start + len(word.text) > match.start
    ]
    box = box_of(words)
    template, params = SUMMARY[match.kind], {}
    if match.kind == "event":
        params = {"event": say(EVENTS[match.details["event"]])}
    elif "name" in match.details:
        template = NAMED[match.kind]
    evidence = {
        "quote": quote,
        "line": line.text,  # the whole line read, to find the quote in
        "confidence": round(statistics.mean(w.conf for w in words)),  # tesseract's, 0-100
        "box": [round(value / side, 4) for value, side in zip(box, size * 2)],  # fractions of the picture
        **({"frame_s": round(frame_s, 2)} if frame_s is not None else {}),  # where in a video: the frame's time
        **match.details,
    }
    return Finding(
        kind=match.kind, text=say(template, quote=quote, **params), evidence=evidence, severity=SEVERITY_OF[match.kind]
    )
