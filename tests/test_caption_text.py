"""The caption-text signal: each kind of fact, in Korean and English, quoted exactly; and what must not fire."""

from __future__ import annotations

import unicodedata

import pytest

from audit.inventory.photo import PhotoView
from audit.signals.caption_text import CaptionTextSignal


def photo_with(*captions: str | None, tagged_users: list[str] | None = None) -> PhotoView:
    appearances = [
        {
            "id": f"a{i}",
            "platform": "instagram-export",
            "account": "me",
            "post_id": f"post{i}",
            "caption": caption,
            "tagged_users": tagged_users or [],
        }
        for i, caption in enumerate(captions, start=1)
    ]
    return PhotoView({"id": "p1"}, appearances)


def findings(caption: str | None, tagged_users: list[str] | None = None):
    return list(CaptionTextSignal().analyze(photo_with(caption, tagged_users=tagged_users)))


def quotes(caption: str, kind: str) -> list[str]:
    return [f.evidence["quote"] for f in findings(caption) if f.kind == kind]


def only(caption: str, kind: str):
    matched = [f for f in findings(caption) if f.kind == kind]
    assert len(matched) == 1, [(f.kind, f.evidence["quote"]) for f in matched]
    return matched[0]


def test_signal_declares_itself():
    assert CaptionTextSignal.name == "caption-text"
    assert CaptionTextSignal.version == 5
    assert CaptionTextSignal.title == "What captions reveal"
    assert CaptionTextSignal.description


# --- phone numbers ---------------------------------------------------------------------------------


def test_korean_mobile_number_with_evidence():
    caption = "분실물 찾아주시면 연락주세요 010-1234-5678 감사합니다"
    finding = only(caption, "phone")
    assert finding.severity == "high"
    assert finding.summary == 'Caption shows a phone number: "010-1234-5678"'
    assert finding.evidence["quote"] == "010-1234-5678"
    assert finding.evidence["e164"] == "+821012345678"
    assert finding.evidence["appearance"] == "a1"
    assert finding.evidence["platform"] == "instagram-export"
    assert finding.evidence["account"] == "me"
    assert "010-1234-5678" in finding.evidence["context"]
    assert "연락주세요" in finding.evidence["context"]


@pytest.mark.parametrize("written", ["01012345678", "010 1234 5678", "010.1234.5678"])
def test_korean_mobile_number_other_spellings(written):
    finding = only(f"번호 {written} 로 문자 주세요", "phone")
    assert finding.evidence["quote"] == written
    assert finding.evidence["e164"] == "+821012345678"


@pytest.mark.parametrize(
    "written, e164",
    [("+82 10-1234-5678", "+821012345678"), ("+1 415-555-2671", "+14155552671")],
)
def test_international_numbers(written, e164):
    finding = only(f"call me at {written} anytime", "phone")
    assert finding.evidence["quote"] == written
    assert finding.evidence["e164"] == e164


@pytest.mark.parametrize(
    "caption",
    [
        "2023년 3월 1일 입학식",
        "1234-5678",
        "2024.03.01 (금) 10:00",
        "class of 2024",
        "학번 2023123456",
        "2019-2023 추억",
    ],
)
def test_dates_years_and_student_numbers_are_not_phones(caption):
    assert quotes(caption, "phone") == []


# --- e-mail, mentions, hashtags, tags ------------------------------------------------------------


def test_email_is_not_also_a_mention():
    result = findings("문의는 hanbit.kim@naver.com 으로")
    assert [(f.kind, f.evidence["quote"]) for f in result] == [("email", "hanbit.kim@naver.com")]
    assert result[0].severity == "high"


def test_mention_next_to_an_email():
    caption = "photo by @best.friend. mail me: me@example.com"
    mention = only(caption, "mention")
    assert mention.evidence["quote"] == "@best.friend"  # the sentence's full stop is not in the handle
    assert mention.evidence["handle"] == "best.friend"
    assert mention.severity == "low"
    assert quotes(caption, "email") == ["me@example.com"]


def test_mention_right_after_hangul():
    assert quotes("고마워@bestie", "mention") == ["@bestie"]


def test_hangul_hashtag():
    result = findings("오늘 #졸업 #graduation")
    hashtags = [f for f in result if f.kind == "hashtag"]
    assert [f.evidence["quote"] for f in hashtags] == ["#졸업", "#graduation"]
    assert hashtags[0].evidence["tag"] == "졸업"
    assert hashtags[0].severity == "info"


def test_digits_only_is_not_a_hashtag():
    assert quotes("we are #1", "hashtag") == []


def test_each_tagged_user_is_a_finding():
    result = findings(None, tagged_users=["friend.one", "@friend.two"])
    assert [(f.kind, f.evidence["quote"], f.evidence["handle"]) for f in result] == [
        ("tagged_user", "friend.one", "friend.one"),
        ("tagged_user", "@friend.two", "friend.two"),
    ]
    assert all(f.severity == "medium" for f in result)
    assert result[0].summary == 'Post tags an account: "friend.one"'
    assert result[1].evidence["context"] == "friend.one, @friend.two"


# --- keyword kinds, Korean and English -------------------------------------------------------------


@pytest.mark.parametrize(
    "caption, kind, quote",
    [
        ("중학교 때 사진", "school", "중학교"),
        ("여고 시절", "school", "여고"),
        ("고교 동창들", "school", "고교"),
        ("back in high school", "school", "high school"),
        ("Class of 2024!", "school", "Class of 2024"),
        ("대학원 생활", "university", "대학원"),
        ("과잠 입고", "university", "과잠"),
        ("캠퍼스 투어", "university", "캠퍼스"),
        ("first day at university", "university", "university"),
        ("college days", "university", "college"),
        ("campus tour", "university", "campus"),
        ("23학번 새내기", "student_number", "23학번"),
        ("학번 2023123456", "student_number", "학번 2023123456"),
        ("2023학번", "student_number", "2023학번"),
        ("학생증 사진", "student_number", "학생증"),
        ("new student ID", "student_number", "student ID"),
        ("student number: 2023123456", "student_number", "student number: 2023123456"),
        ("회사원의 하루", "workplace", "회사"),
        ("출근길", "workplace", "출근"),
        ("팀 회식", "workplace", "회식"),
        ("view from my office", "workplace", "my office"),
        ("long day at work", "workplace", "at work"),
        ("summer intern at Naver", "workplace", "intern at"),
        ("she works at Samsung", "workplace", "works at"),
        ("우리집 고양이", "home", "우리집"),
        ("우리 집 거실", "home", "우리 집"),
        ("집앞 카페", "home", "집앞"),
        ("자취방 꾸미기", "home", "자취방"),
        ("기숙사 생활", "home", "기숙사"),
        ("cozy night in my apartment", "home", "my apartment"),
        ("home sweet home", "home", "home sweet home"),
        ("dorm life", "home", "dorm"),
        ("서울 테헤란로 12길 34 에서", "address", "테헤란로 12길 34"),
        ("강남구 테헤란로 152", "address", "강남구 테헤란로 152"),
        ("역삼동 123-4 맛집", "address", "역삼동 123-4"),
        ("역삼동 123-4번지", "address", "역삼동 123-4번지"),
        ("래미안아파트 101동 1202호 택배", "address", "래미안아파트 101동 1202호"),
        ("moved to 123 Main Street", "address", "123 Main Street"),
    ],
)
def test_keyword_kinds(caption, kind, quote):
    assert quotes(caption, kind) == [quote]


@pytest.mark.parametrize(
    "caption, kind, severity, summary",
    [
        ("한빛고등학교", "school", "medium", 'Caption names a school: "한빛고등학교"'),
        ("back in high school", "school", "medium", 'Caption mentions a school: "high school"'),
        ("23학번", "student_number", "high", 'Caption mentions a student number or ID: "23학번"'),
        ("출근", "workplace", "medium", 'Caption mentions work: "출근"'),
        ("dorm life", "home", "high", 'Caption mentions home: "dorm"'),
        ("역삼동 123-4", "address", "high", 'Caption shows an address: "역삼동 123-4"'),
    ],
)
def test_severity_and_summary(caption, kind, severity, summary):
    finding = only(caption, kind)
    assert finding.severity == severity
    assert finding.summary == summary


@pytest.mark.parametrize(
    "caption, kind, name",
    [
        ("서울여자고등학교 졸업", "school", "서울여자고등학교"),
        ("한빛고등학교에서", "school", "한빛고등학교"),
        ("한빛여고 축제", "school", "한빛여고"),
        ("Graduated from Hanbit High School!", "school", "Hanbit High School"),
        ("#HanbitHighSchool", "school", "HanbitHighSchool"),
        ("연세대 축제", "university", "연세대"),
        ("고려대학교 입학", "university", "고려대학교"),
        ("Yonsei University exchange", "university", "Yonsei University"),
        ("Seoul National University", "university", "Seoul National University"),
        ("University of Toronto", "university", "University of Toronto"),
    ],
)
def test_school_and_university_names(caption, kind, name):
    finding = only(caption, kind)
    assert finding.evidence["quote"] == name
    assert finding.evidence["name"] == name
    assert finding.summary.startswith(f"Caption names a {kind}")


@pytest.mark.parametrize("caption", ["My High School reunion", "고등학교 친구들", "my college"])
def test_school_word_without_a_name_has_no_name(caption):
    assert [f for f in findings(caption) if "name" in f.evidence] == []


def test_short_university_name_inside_full_name_counts_once():
    assert quotes("고려대학교", "university") == ["고려대학교"]


def test_korean_name_survives_decomposed_hangul():
    decomposed = unicodedata.normalize("NFD", "한빛고등학교 졸업")
    assert quotes(decomposed, "school") == ["한빛고등학교"]


# --- events ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caption, quote, event",
    [
        ("졸업식 날", "졸업식", "graduation"),
        ("학위수여식", "학위수여식", "graduation"),
        ("finally graduated", "graduated", "graduation"),
        ("commencement day", "commencement", "graduation"),
        ("언니 결혼식", "결혼식", "wedding"),
        ("웨딩촬영", "웨딩", "wedding"),
        ("신부 입장", "신부", "wedding"),
        ("my sister's wedding", "wedding", "wedding"),
        ("beautiful bride", "bride", "wedding"),
        ("가족모임", "가족모임", "family"),
        ("추석 연휴", "추석", "family"),
        ("설날 아침", "설날", "family"),
        ("가족사진 찍은 날", "가족사진", "family"),
        ("family dinner tonight", "family dinner", "family"),
        ("family gathering", "family gathering", "family"),
        ("교실 풍경", "교실", "classroom"),
        ("담임 선생님", "담임", "classroom"),
        ("반 친구들이랑", "반 친구", "classroom"),
        ("our class trip", "our class", "classroom"),
        ("class photo day", "class photo", "classroom"),
    ],
)
def test_event_types(caption, quote, event):
    finding = only(caption, "event")
    assert finding.evidence["quote"] == quote
    assert finding.evidence["event"] == event
    assert finding.severity == "medium"


def test_event_summary_names_the_event():
    assert only("졸업식", "event").summary == 'Caption mentions a graduation: "졸업식"'
    assert only("wedding", "event").summary == 'Caption mentions a wedding: "wedding"'


# --- negatives -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "caption",
    [
        "오늘 날씨 좋다 ☀️ 산책 다녀옴",
        "sunset over the river, nice day",
        "",
        None,
    ],
)
def test_caption_without_facts_yields_nothing(caption):
    assert findings(caption) == []


@pytest.mark.parametrize(
    "caption, kind",
    [
        ("a dormant volcano", "home"),
        ("우리 집중하자", "home"),
        ("편집 앞부분", "home"),
        ("발자취를 따라", "home"),
        ("신부님 강론", "event"),
        ("오늘 운동 30-40분", "address"),
        ("동아리 활동 2-3회", "address"),
        ("버스로 10분", "address"),
        ("그 방법으로 3 번 해봄", "address"),
        ("서울대공원 나들이", "university"),
        ("homework at home", "workplace"),
        ("C# coding", "hashtag"),
    ],
)
def test_near_misses_do_not_fire(caption, kind):
    assert quotes(caption, kind) == []


# --- mixed captions, deduplication, several appearances ------------------------------------------


def test_mixed_language_caption():
    caption = "Graduated from Hanbit High School 🎓 한빛고등학교 졸업식! 연락 010-1234-5678 @bestie #졸업 #classof2024"
    found = {(f.kind, f.evidence["quote"]) for f in findings(caption)}
    assert found == {
        ("event", "Graduated"),
        ("school", "Hanbit High School"),
        ("school", "한빛고등학교"),
        ("event", "졸업식"),
        ("phone", "010-1234-5678"),
        ("mention", "@bestie"),
        ("hashtag", "#졸업"),
        ("event", "졸업"),
        ("hashtag", "#classof2024"),
        ("school", "classof2024"),
    }


def test_same_quote_once_per_appearance():
    result = findings("010-1234-5678 or 010-1234-5678, 기숙사 기숙사")
    assert [(f.kind, f.evidence["quote"]) for f in result] == [
        ("phone", "010-1234-5678"),
        ("home", "기숙사"),
    ]


def test_each_appearance_is_scanned_and_named():
    photo = photo_with("기숙사 방", None, "dorm room")
    result = list(CaptionTextSignal().analyze(photo))
    assert [(f.evidence["appearance"], f.evidence["quote"]) for f in result] == [
        ("a1", "기숙사"),
        ("a3", "dorm"),
    ]


def test_same_caption_on_two_appearances_is_reported_for_each():
    photo = photo_with("우리집", "우리집")
    assert [f.evidence["appearance"] for f in CaptionTextSignal().analyze(photo)] == ["a1", "a2"]


def test_context_is_about_forty_characters_around_the_quote():
    caption = "가" * 100 + " 010-1234-5678 " + "나" * 100
    context = only(caption, "phone").evidence["context"]
    assert "010-1234-5678" in context
    assert len(context) <= len("010-1234-5678") + 40
    assert context.startswith("가") and context.endswith("나")


@pytest.mark.parametrize(
    "caption, kind, quote",
    [
        ("카페 알바 첫날", "workplace", "알바"),
        ("finally found a part-time job", "workplace", "part-time job"),
        ("집에서 뒹굴뒹굴", "home", "집에서"),
        ("대동제 준비 중 #서울한강대 #대동제", "university", "#서울한강대"),
    ],
)
def test_everyday_clues(caption, kind, quote):
    assert quotes(caption, kind) == [quote]


@pytest.mark.parametrize("caption", ["#청춘시대", "#기대", "#mz세대", "#침대", "우리집중"])
def test_words_ending_like_a_clue_do_not_fire(caption):
    assert not [f for f in findings(caption) if f.kind in ("university", "home")]


# --- Korean words inside longer words (issue 17) ---------------------------------------------------


@pytest.mark.parametrize(
    "caption, kind",
    [
        # 과학과 is 과학 (science) + 과 (and), not a department: the department rule needs what only follows one.
        ("과학과 수학 공부", "university"),
        ("중학교 과학과 선생님", "university"),
        ("수학과 과학 문제집", "university"),
        # A course named 교실 is not a school's classroom; 학교실내화 is 학교 + 실내화 (school slippers).
        ("요가교실 첫날", "event"),
        ("동네 노래교실", "event"),
        ("학교실내화 빨기", "event"),
        # 가족 and 수업 on their own are the word, not an occasion.
        ("가족 같은 분위기의 카페", "event"),
        ("우리 가족", "event"),
        ("요가 수업 끝", "event"),
        ("오늘 수업 끝", "event"),
        # The same root: 자신부터 (from oneself), 일본식 (Japanese-style), 가입사은품 (a sign-up gift).
        ("나 자신부터 사랑하자", "event"),
        ("일본식 라멘", "event"),
        ("가입사은품 도착", "workplace"),
        # Words ending in 대 that are no university, before words its students write: era, generation, the most.
        ("새 시대 입학식", "university"),
        ("최대 졸업생 배출", "university"),
        ("수업중 1학년 애들이", "school"),
        ("학교복도에서", "school"),  # 학교 복도, a school corridor: no uniform
        ("사회사업 봉사", "workplace"),
        ("주식회사 광고", "workplace"),
        ("알바니아 여행", "workplace"),  # 중 here is "in the middle of" a lesson
        ("힘들었고 3학년", "school"),
    ],
)
def test_keywords_inside_longer_korean_words_do_not_fire(caption, kind):
    assert quotes(caption, kind) == []


@pytest.mark.parametrize(
    "caption, kind, quote",
    [
        ("컴퓨터공학과 2학년", "university", "컴퓨터공학과"),
        ("생명과학과 23학번", "university", "생명과학과"),
        ("경영학과에 합격했어요", "university", "경영학과"),
        ("드디어 심리학과!", "university", "심리학과"),
        ("학과 동기들이랑", "university", "학과"),
        ("#건축학과", "university", "건축학과"),
        ("3학년 2반 교실", "event", "교실"),
        ("우리반교실 청소", "event", "교실"),
        ("교실에서 한 컷", "event", "교실"),
        ("제주 가족여행", "event", "가족여행"),
        ("우리 가족 사진", "event", "가족 사진"),
        ("family trip to Jeju", "event", "family trip"),
        ("공개수업 날", "event", "공개수업"),
        ("예비신부 가봉", "event", "예비신부"),
        ("#본식스냅", "event", "본식"),
        ("#신입사원", "workplace", "신입사원"),
        ("첫 입사 날", "workplace", "입사"),
        ("서울한강대 23학번", "university", "서울한강대"),
        ("한강대 재학 중", "university", "한강대"),
        ("한강대졸업", "university", "한강대"),
        ("한빛고 3학년", "school", "한빛고"),
        ("한빛여중 2학년 때", "school", "한빛여중"),
        ("한빛초 6학년", "school", "한빛초"),
    ],
)
def test_korean_words_that_must_still_fire(caption, kind, quote):
    assert quotes(caption, kind) == [quote]


@pytest.mark.parametrize(
    "caption, name",
    [("Tutoring by a Seoul Hangang Univ. student", "Seoul Hangang Univ."), ("서울한강대 23학번", "서울한강대")],
)
def test_a_university_by_its_short_name_is_named(caption, name):
    assert only(caption, "university").evidence["name"] == name


@pytest.mark.parametrize(
    "caption, quotes_found",
    [
        ("Math tutoring for middle & high school", []),  # the levels taught, not her school
        ("Elementary, Middle and High School students", []),
        ("middle high school", []),
        ("Hanbit Middle & High School", ["High School"]),  # a name before the list: one school
        ("I loved high school", ["high school"]),
        ("the univ. library", []),  # univ. needs a name: any student writes it
    ],
)
def test_a_list_of_school_levels_is_no_school(caption, quotes_found):
    assert [q.strip() for q in quotes(caption, "school")] == quotes_found


def test_a_department_is_a_university_clue_without_a_university_name():
    finding = only("컴퓨터공학과 2학년", "university")
    assert "name" not in finding.evidence
    assert finding.summary == 'Caption mentions a university: "컴퓨터공학과"'


@pytest.mark.parametrize(
    "caption, event",
    [("3학년 2반 교실", "classroom"), ("가족여행", "family"), ("공개수업", "classroom"), ("예비신부", "wedding")],
)
def test_korean_compounds_name_their_event(caption, event):
    assert only(caption, "event").evidence["event"] == event



@pytest.mark.parametrize("run", ["테헤란로", "서울시강남구", "래미안아파트", "역삼동", "가나다라마바사", " ", "_", "\n"])
def test_a_long_run_of_letters_or_spaces_is_read_once_not_once_a_letter(run):
    """Metadata is hostile text: 64,000 letters without a space took minutes when each address pattern scanned
    the run again from every letter (16,000 took 13 s), and so did 64,000 spaces; read once, well under a second."""
    from .test_fuzz import time_limit

    with time_limit(10):
        assert quotes(run * (64_000 // len(run)) + " 강남구 테헤란로 152", "address") == ["강남구 테헤란로 152"]
