"""The caption-text signal: what a post's caption and tags tell a stranger about its owner.

In the 2024 Korean deepfake cases, victims' schools, workplaces, phone numbers and addresses were
spread alongside the fakes. People often write these down themselves, in captions and tags.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Iterator

import phonenumbers

from ..models import Finding
from ..words import N_, say
from .base import Signal, Weight

if TYPE_CHECKING:
    from ..inventory.photo import PhotoView

# kind -> patterns, one word or phrase per entry (each a regular-expression fragment).
# - Patterns with Hangul end anywhere: Korean attaches particles to words (한빛고등학교에서), so there
#   is no word boundary to wait for after them. They start anywhere too, as Korean writes compounds and
#   hashtags without spaces (#졸업사진, 첫출근). Each must be specific enough to stand alone ("집" is not,
#   nor are 가족 "family" and 수업 "a lesson": only a family's gathering, photo or trip is an event).
# - {start} marks where a Korean word must begin (nothing, a space, a digit or a sign before it, no Hangul):
#   for a keyword that is also the tail of longer words, or the end of compounds that mean something
#   else. 교실 is a classroom, 요가교실 a yoga class and 학교실내화 학교 + 실내화; 본식 is not 일본식.
#   Compounds that keep the meaning are written out after it: {start}(?:예비 |새 )?신부.
# - Other patterns match whole English words only, in any case: "dorm" must not fire in "dormant".
# - A space matches any spacing, an underscore or nothing, so hashtags (#highschool, #우리집) match.
# - {name} is where a proper name may be written: "한빛" in 한빛고등학교, "Hanbit" in Hanbit High
#   School; {Name} where one must be (an English name). When a (?P<name>...) part matches, the finding
#   names the school or university.
KEYWORDS: dict[str, list[str]] = {
    "school": [
        "{name}초등학교", "{name}중학교", "{name}고등학교", "{name}여고", "{name}여중", "{name}고교",
        "고딩", "중딩", "(?<!학)교복",  # not 학교복도 (a school corridor)
        # A short name (한빛고, 한빛여중, 한빛초) before a year of it: 한빛고 3학년. Not a verb and the connective 고
        # (힘들었고, 좋고) nor X중 that means "in the middle of X" (수업중, 공부중, 준비중...).
        "{start}(?P<name>[가-힣]{2,4}(?:여고|여중|초|(?<!았|었|였|했|겠|있|없|하|되|이|지|싶|좋|많|같|먹|놀|보|주|받)고|"
        "(?<!업|부|행|비|사|의|화|근|출|식|동)중))(?= ?[1-6] ?학년)",
        "{name} elementary school", "{name} primary school", "{name} middle school",
        "{name} high school", "junior high", "secondary school", "school uniform",
        r"class of ['’]?\d{2}(?:\d{2})?",
    ],
    "university": [
        "{name}대학교", "{name}대학원", "대학생", "과잠", "캠퍼스", "새내기",
        # 학과 (a department) on its own: 학과 동기. A department's name ends in 학과 (컴퓨터공학과), and so
        # does a field followed by the particle 과, "and" (과학과 수학: science and maths; 수학과 과학). The
        # name counts where the particle could not be: before another particle, a year, the department's
        # people and doings, a sign or the end.
        "{start}학과",
        "{start}[가-힣]+학과(?=(?:에|를|예요|입니다)|"
        r" (?:$|[^\s\w]|\d+ ?학[년번]|학생|동기|선배|후배|교수|조교|사무실|신입생|새내기|과잠|엠티|MT(?![A-Za-z])|"
        "개강|종강|입학|졸업|재학|합격|편입|전공))",
        # Short names are names in themselves. 서울대공원 (a park) and 서울대입구 (a station) are not.
        "(?P<name>서울대(?!공원|입구)|연세대|고려대|카이스트|포스텍|성균관대|한양대|서강대|이화여대|"
        "숙명여대|중앙대|경희대|한국외대|서울시립대|건국대|동국대|홍익대|부산대|경북대|전남대|인하대|아주대)",
        "(?P<name>kaist|postech)",
        "{name} universit(?:y|ies)", "universit(?:y|ies) of {name}", "{name} colleges?", r"{Name} univ\.?",
        # A short name (서울한강대, 한강대) before what only a university's students write after it: 23학번, 재학 중.
        "{start}(?P<name>[가-힣]{2,8}(?<!시|세|무|기|반|상|현|절|침|최|역)대)(?= ?(?:(?:\\d{2} ?)?학번|재학|입학|졸업|"
        "신입생|새내기|과잠|동기|편입|합격))",
        "campus", "grad school",
        # A hashtag of a short university name (#서울한강대), minus common words ending in 대: 시대 (era),
        # 세대 (generation), 무대 (stage), 기대 (hope), 반대 (opposite), 상대, 현대, 절대, 침대 (bed).
        "#(?P<name>[가-힣]{2,8}(?<!시|세|무|기|반|상|현|절|침)대)(?![가-힣])",
    ],
    "student_number": [
        # The number itself when written next to the word: 23학번, 학번 2023123456.
        r"(?:(?<!\d)(?:\d{2}|\d{4}) )?학번(?: :? \d{4,10}(?!\d))?", "학생증",
        r"student (?:id|number|no\.?|card)(?: [#:]? \d{4,10})?",
    ],
    "workplace": [
        # 입사 (joining a company) is also the middle of 가입사은품 (a sign-up gift) and 수입사 (an importer).
        # Nor 회사 in 사회사업 (social work) or 주식회사 (Inc., any company), nor 알바 in 알바니아 (Albania).
        "(?<!사|식)회사", "직장", "출근", "퇴근", "사무실", "회식", "인턴", "{start}입사", "신입 사원", "야근", "사원증",
        "알바(?!니아|트로스)",
        "아르바이트",
        "part-? ?time job",
        "my office", "at the office", "at work", "my company", "my job", "intern(?:ing)? at",
        "work(?:s|ing)? at", "co-?workers?", "colleagues?",
    ],
    "home": [
        # 집중 (focus), 집단 (group)... start with 집 too: only "우리 집" itself is home. Bare 자취 is
        # also "trace" (발자취), so only the room and the student living alone.
        "우리 집(?!중|단|합|회|착|계|필)", "{start}집 앞", "{start}집에서", "자취방", "자취생", "기숙사", "하숙",
        "my house", "my home", "my apartment", "my apt", "my flat", "home sweet home",
        "dorm(?:s|itory|itories)?",
    ],
    "address": [
        # Each name starts where its word does ((?<![가-힣]) and the like): the match found is the same (the leftmost),
        # but a long run of Hangul is scanned once, not once from each of its letters (16,000 letters took 13 s).
        # District and road, which may be written together, are bounded instead (a district of up to 10 letters, a
        # road of up to 15): two open-ended names in a row would try every split of the run.
        # Road addresses: 테헤란로 12길 34, 강남구 테헤란로 152. The road name must not end in the
        # particle 으로 ("방법으로 3"), and no unit may follow the number ("버스로 10분").
        r"(?<![가-힣0-9])[가-힣0-9]+로 \d+번?길 \d+(?:-\d+)?",
        r"[가-힣]{1,10}[시구군] [가-힣0-9]{1,15}(?<!으)(?:로|길) \d+(?:번?길 \d+)?(?:-\d+)?(?![\d가-힣])",
        # Lot addresses: 역삼동 123-4, 역삼동 123번지. Many words end in 동 (운동, 활동), so a counted
        # range after them is not an address: "운동 30-40분", "활동 2-3회".
        r"(?<![가-힣])[가-힣]+동 \d+-\d+(?!\d|분|시간|초|개|명|회|번|살|세|반|학년|등|위|km|kg)",
        r"(?<![가-힣])[가-힣]+[동리] \d+(?:-\d+)?번지",
        # Apartment building and unit: 래미안아파트 101동 1202호, or the unit alone.
        r"(?:(?<![가-힣A-Za-z0-9])[가-힣A-Za-z0-9]+(?:아파트|빌라|오피스텔) )?\d{1,4}동 \d{1,5}호",
        r"(?-i:\d{1,5} (?:[A-Z][a-z]+ ){1,3}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Ln|Lane|Dr))",
    ],
}

# event -> patterns, with the same rules: the events whose photos the 2024 cases took most.
EVENT_KEYWORDS: dict[str, list[str]] = {
    "graduation": [
        "졸업", "졸업식", "학위수여식", "graduation", "graduated", "graduating", "commencement",
    ],
    # 신부님 is a priest and 신부전 kidney failure, not a bride; 자신부터 is "from oneself".
    "wedding": [
        "결혼식", "웨딩", "{start}(?:예비 |새 )?신부(?!님|전)", "{start}본식", "청첩장", "wedding", "brides?", "bridal",
    ],
    # The occasions a family is photographed together, as the English: not the word 가족 (가족 같은 분위기).
    "family": [
        "가족 모임", "명절", "추석", "설날", "가족 사진", "가족 여행", "가족 식사", "가족 외식",
        "family gathering", "family dinner", "family photo", "family reunion", "family (?:trip|vacation|holiday)s?",
    ],
    # A school's class and its room: not any lesson (요가 수업) or a course named 교실 (요가교실, 노래교실).
    "classroom": [
        "{start}교실", "(?<=반)교실", "공개 수업", "수업 참관", "{start}반 친구", "담임",
        "classrooms?", "class photo", "our class", "homeroom", "classmates?",
    ],
}

SEVERITY: dict[str, str] = {
    "phone": "high",
    "email": "high",
    "student_number": "high",
    "home": "high",
    "address": "high",
    "tagged_user": "medium",
    "school": "medium",
    "university": "medium",
    "workplace": "medium",
    "event": "medium",
    "mention": "low",
    "hashtag": "info",
}

# Each finding's summary; it quotes what was found, so a person can find it in the caption.
SUMMARY: dict[str, str] = {
    "phone": N_('Caption shows a phone number: "%(quote)s"'),
    "email": N_('Caption shows an e-mail address: "%(quote)s"'),
    "mention": N_('Caption mentions an account: "%(quote)s"'),
    "hashtag": N_('Caption uses a hashtag: "%(quote)s"'),
    "tagged_user": N_('Post tags an account: "%(quote)s"'),
    "school": N_('Caption mentions a school: "%(quote)s"'),
    "university": N_('Caption mentions a university: "%(quote)s"'),
    "student_number": N_('Caption mentions a student number or ID: "%(quote)s"'),
    "workplace": N_('Caption mentions work: "%(quote)s"'),
    "home": N_('Caption mentions home: "%(quote)s"'),
    "address": N_('Caption shows an address: "%(quote)s"'),
    "event": N_('Caption mentions %(event)s: "%(quote)s"'),
}
# A school or university found with its name ("한빛고등학교", "Yonsei University").
NAMED: dict[str, str] = {
    "school": N_('Caption names a school: "%(quote)s"'),
    "university": N_('Caption names a university: "%(quote)s"'),
}
# How the summaries (here and image-text's) name each event.
EVENTS: dict[str, str] = {
    "graduation": N_("a graduation"),
    "wedding": N_("a wedding"),
    "family": N_("family"),
    "classroom": N_("a class or classroom"),
}

CONTEXT_CHARS = 20  # each side of the quote: about 40 characters to read it in place

HANGUL = re.compile(r"[가-힣]")
# {start}: where a Korean word begins, as no Hangul syllable comes right before it.
KOREAN_WORD_START = r"(?<![가-힣])"
# A Korean name is the Hangul written directly before the word (names are written without spaces).
KOREAN_NAME = r"(?P<name>[가-힣]{2,10})?"
# An English name is one to four capitalised words; a capitalised sentence opener is not a name.
_OPENERS = "My|Our|The|This|That|Your|His|Her|Their|At|In|From|To|And|Today|Finally"
_NAME_WORD = rf"(?-i:(?!(?:{_OPENERS})\b)[A-Z][A-Za-z&'-]*)"
ENGLISH_NAME = rf"(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,3}})?"

EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)
# An @ right after an address character is the middle of an e-mail address, not a mention.
MENTION = re.compile(r"(?<![A-Za-z0-9._%+-])@([A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?)")
# \w covers Hangul; a tag of digits only ("#1") is not a hashtag on Instagram, and &# starts an entity.
HASHTAG = re.compile(r"(?<![\w&])#(\w*[^\W\d_]\w*)")


@dataclass(frozen=True)
class _Rule:
    regex: re.Pattern[str]
    event: str | None = None


@dataclass
class _Span:
    """Where a kind of fact was found in the caption text."""

    kind: str
    start: int
    end: int
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Hit:
    kind: str
    quote: str
    context: str
    details: dict[str, Any]


def _compile(pattern: str) -> re.Pattern[str]:
    korean = HANGUL.search(pattern) is not None
    # A space in a rule is any run of up to 10 spaces, line breaks or underscores (#elementary_school), or none: bounded,
    # as an open run tried from each of 16,000 spaces took 10 s.
    pattern = pattern.replace(" ", r"[\s_]{0,10}")
    pattern = pattern.replace("{name}", KOREAN_NAME if korean else ENGLISH_NAME).replace("{start}", KOREAN_WORD_START)
    pattern = pattern.replace("{Name}", ENGLISH_NAME[:-1])  # without the final "?": the name must be there
    if not korean:
        pattern = rf"(?<![A-Za-z0-9]){pattern}(?![A-Za-z0-9])"
    return re.compile(pattern, re.IGNORECASE)


def _build_rules() -> dict[str, list[_Rule]]:
    rules = {kind: [_Rule(_compile(p)) for p in patterns] for kind, patterns in KEYWORDS.items()}
    rules["event"] = [
        _Rule(_compile(p), event) for event, patterns in EVENT_KEYWORDS.items() for p in patterns
    ]
    return rules


RULES = _build_rules()

# The clues that name who and where the person is (the plan's identity clues); image-text reads the same in pictures.
IDENTITY_CLUES = frozenset({"phone", "email", "school", "university", "student_number", "workplace", "home", "address"})
# Their names, in the order a sentence lists them ("clues to who you are: phone number, school").
CLUE_NAMES = {
    "address": N_("address"), "phone": N_("phone number"), "email": N_("e-mail address"),
    "student_number": N_("student number"), "school": N_("school"), "university": N_("university"),
    "workplace": N_("workplace"), "home": N_("home"),
}  # fmt: skip
# Points per clue, the same wherever it is read (caption or picture): the two share one group cap per clue.
CLUE_POINTS = {
    "address": 35, "phone": 30, "student_number": 25, "home": 20, "email": 20, "school": 20, "university": 15,
    "workplace": 15, "event": 10,
}  # fmt: skip


def clue(kind: str, fact: str) -> Weight:
    """The weight of an identity clue or event: its points, counted once per photo across signals (scoring's group)."""
    return Weight(CLUE_POINTS[kind], CLUE_POINTS[kind], fact, f"clue:{kind}")


class CaptionTextSignal(Signal):
    name = "caption-text"
    # 2: findings carry their words; 3: Korean words that are also the tail of longer ones count only where a word
    # begins (교실, not 요가교실), a department by its name (컴퓨터공학과, not 과학과 수학), 가족 and 수업 alone not as events;
    # 4: schools and universities by short name (한빛고 3학년, Hangang Univ., 한강대 23학번), no school in a list of levels
    # (middle & high school), not 교복 in 학교복도, 회사 in 사회사업 or 주식회사, 알바 in 알바니아; 5: an address's district
    # is quoted from at most 10 letters before 시/구/군, a space in a rule is at most 10 (long runs of letters or spaces
    # are read in linear time)
    version = 5
    title = N_("What captions reveal")
    description = "Phone numbers, e-mails, schools, workplaces, homes and events named in captions and tags."
    example = "examples/caption-text.toml"
    roles = {
        "identity_clue": IDENTITY_CLUES,
        "person_tag": frozenset({"tagged_user", "mention"}),
    }
    kind_names = CLUE_NAMES
    weights = {
        "address": clue("address", N_("A street address in text: full home address is rated 4.18/5 sensitive (VISPR).")),
        "phone": clue("phone", N_("A phone number lets a stranger contact or harass the person directly.")),
        "student_number": clue("student_number", N_("Student ID details are rated 3.79/5 sensitive (VISPR) and tie the photo to a school.")),
        "home": clue("home", N_("Words that mark home tell a stranger the place is where the person lives.")),
        "email": clue("email", N_("An e-mail address links the photo to other accounts and to direct contact.")),
        "school": clue("school", N_("Rooms were organised by school; perpetrators were often classmates (Korean cases, 2024).")),
        "university": clue("university", N_("Rooms were organised by school or university; education history is rated 2.92/5 (VISPR).")),
        "workplace": clue("workplace", N_("Perpetrators were often colleagues; victims' workplaces were spread with the images.")),
        "event": clue("event", N_("Graduation, wedding, family and classroom photos were the ones taken in the Korean cases.")),
        "tagged_user": Weight(5, 15, N_("Tagged friends lead to the person's circle: 'acquaintance humiliation' rooms spread family and friends.")),
        "mention": Weight(3, 9, N_("Mentioned accounts map the person's circle of friends.")),
    }

    def analyze(self, photo: "PhotoView") -> Iterable[Finding]:
        for appearance in photo.appearances:
            yield from _appearance_findings(appearance)


def _appearance_findings(appearance: dict[str, Any]) -> Iterator[Finding]:
    hits = [
        *_caption_hits(appearance.get("caption") or ""),
        *_tagged_user_hits(appearance.get("tagged_users") or []),
    ]
    seen: set[tuple[str, str]] = set()
    for hit in hits:
        if (hit.kind, hit.quote) in seen:
            continue
        seen.add((hit.kind, hit.quote))
        yield _finding(hit, appearance)


def _caption_hits(caption: str) -> list[_Hit]:
    # NFC: exports from some phones store Hangul as separate jamo, which no pattern would match.
    text = unicodedata.normalize("NFC", caption)
    return [_Hit(s.kind, text[s.start : s.end], _context(text, s.start, s.end), s.details) for s in find_spans(text)]


def find_spans(text: str) -> list[_Span]:
    """Every fact these rules find in any text (a caption, text read off a photo), in reading order.

    Each span has the kind (the keys of SUMMARY, or "event"), start and end offsets into `text`,
    and details (e164, name, event...). Pass NFC-normalised text: the patterns are written in it.
    """
    spans = [
        *contact_spans(text),
        *_regex_spans("hashtag", HASHTAG, text, detail="tag"),
        *_keyword_spans(text),
    ]
    spans.sort(key=lambda s: (s.start, s.kind))
    return spans


def contact_spans(text: str) -> list[_Span]:
    """Phone numbers, e-mail addresses and @mentions: the spans that reach a person directly (redaction masks them
    in every text, and needs no keyword rules: those are most of find_spans' time)."""
    return [
        *_phone_spans(text),
        *_regex_spans("email", EMAIL, text),
        *_regex_spans("mention", MENTION, text, detail="handle"),
    ]


def _phone_spans(text: str) -> Iterator[_Span]:
    # Region KR reads 010-1234-5678 as Korean; numbers written with +82, +1... are read as such.
    # VALID (not POSSIBLE) leniency: the number must be dialable, which rules out years, dates and
    # student numbers ("2023", "1234-5678", "2023123456") that merely have the right length.
    matcher = phonenumbers.PhoneNumberMatcher(text, "KR", leniency=phonenumbers.Leniency.VALID)
    for match in matcher:
        e164 = phonenumbers.format_number(match.number, phonenumbers.PhoneNumberFormat.E164)
        yield _Span("phone", match.start, match.end, {"e164": e164})


def _regex_spans(kind: str, regex: re.Pattern[str], text: str, detail: str | None = None) -> Iterator[_Span]:
    """Spans of `regex`; `detail` names the evidence key for its first group (the handle, the tag)."""
    for match in regex.finditer(text):
        details = {detail: match.group(1)} if detail else {}
        yield _Span(kind, match.start(), match.end(), details)


def _keyword_spans(text: str) -> Iterator[_Span]:
    for kind, rules in RULES.items():
        candidates = [
            _Span(kind, match.start(), match.end(), _keyword_details(rule, match))
            for rule in rules
            for match in rule.regex.finditer(text)
        ]
        yield from (span for span in _longest_first(candidates) if not _in_list_of_levels(span, text))


# "middle & high school", "Elementary, Middle and High School": the levels a tutor teaches or a sign lists, not
# one school. A name before the list ("Hanbit Middle & High School") makes it one school again.
LEVELS_BEFORE = re.compile(
    r"(?:elementary|primary|middle|junior high|high)(?:\s*(?:&|and|/|,|·)\s*|\s+)$", re.IGNORECASE
)
CAPITALISED_BEFORE = re.compile(r"(?<![A-Za-z])(?-i:[A-Z][A-Za-z'-]*)\s+$")


def _in_list_of_levels(span: _Span, text: str) -> bool:
    if span.kind != "school" or "name" in span.details:
        return False
    levels = LEVELS_BEFORE.search(text, 0, span.start)
    if levels is None or levels.end() != span.start:
        return False
    return not CAPITALISED_BEFORE.search(text, 0, levels.start())


def _keyword_details(rule: _Rule, match: re.Match[str]) -> dict[str, Any]:
    details: dict[str, Any] = {}
    if match.groupdict().get("name"):
        details["name"] = match.group(0)  # the name with its word: 한빛고등학교, Yonsei University
    if rule.event:
        details["event"] = rule.event
    return details


def _longest_first(spans: list[_Span]) -> list[_Span]:
    """Drop spans overlapping a longer one of the same kind: 고려대학교, not also 고려대 inside it."""
    kept: list[_Span] = []
    for span in sorted(spans, key=lambda s: (s.start - s.end, s.start)):
        if all(span.end <= other.start or span.start >= other.end for other in kept):
            kept.append(span)
    return kept


def _tagged_user_hits(tagged_users: list[str]) -> Iterator[_Hit]:
    # The tag list is the text a person sees, so the context is the neighbouring tags.
    listing = ", ".join(tagged_users)
    start = 0
    for handle in tagged_users:
        end = start + len(handle)
        if handle.strip():
            yield _Hit("tagged_user", handle, _context(listing, start, end), {"handle": handle.lstrip("@")})
        start = end + len(", ")


def _context(text: str, start: int, end: int) -> str:
    window = text[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS]
    return " ".join(window.split())


def _finding(hit: _Hit, appearance: dict[str, Any]) -> Finding:
    template = (NAMED.get(hit.kind) if "name" in hit.details else None) or SUMMARY[hit.kind]
    params = {"event": say(EVENTS[hit.details["event"]])} if hit.kind == "event" else {}
    evidence = {
        "quote": hit.quote,
        "context": hit.context,
        "appearance": appearance.get("id"),
        "platform": appearance.get("platform"),
        "account": appearance.get("account"),
        **hit.details,
    }
    return Finding(
        kind=hit.kind, text=say(template, quote=hit.quote, **params), evidence=evidence, severity=SEVERITY[hit.kind]
    )
