"""Exposure score per photo: 0-100, always as a list of reasons a person can check.

WEIGHTS is the one table of points. docs/scoring.md repeats it with the fact behind each
weight (a test keeps the two in step). A finding kind missing from the table is shown as a
fact but scores nothing: no point of risk without a stated reason.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Iterable

SCORING_VERSION = 1


@dataclass(frozen=True)
class Weight:
    points: int  # for one finding of this kind
    cap: int  # most points this kind can add to one photo, however many findings
    fact: str  # why, from shared/docs/risk-model.md
    group: str | None = None  # kinds that reveal the same fact share GROUP_CAPS


WEIGHTS: dict[tuple[str, str], Weight] = {
    ("faces", "face_high"): Weight(45, 45, "One clear photo of a face is enough for today's face-swap tools (roop, InstantID); a face of 112-128 px or more is full-quality source material.", "face"),
    ("faces", "face_medium"): Weight(25, 25, "A usable but imperfect face (smaller, turned or softer): swap models work at 128 px and restorers upscale the rest.", "face"),
    ("faces", "face_low"): Weight(5, 5, "Under about 40-64 px, in profile or blurred, a face is of little use to swap tools, but it still shows the person.", "face"),
    ("faces", "bystander_face"): Weight(5, 10, "Someone else's face: the photo exposes them too, and attackers target the victim's friends and family."),
    ("exif", "gps"): Weight(40, 40, "Exact position in the file: anyone who saves it can map it. Full home address is rated 4.18/5 sensitive (VISPR).", "location"),
    ("platform-location", "geotag"): Weight(35, 35, "A geotag shows where the photo was taken to every viewer; attackers spread victims' addresses.", "location"),
    ("platform-location", "place_name"): Weight(15, 15, "A named place narrows where the person lives, studies or goes.", "location"),
    ("places", "repeated_place"): Weight(20, 20, "A place that repeats across days is probably home, school or work: attackers spread victims' addresses, schools and workplaces.", "place"),
    ("export-metadata", "device_id"): Weight(3, 3, "The export records the phone's ID: it ties photos on different accounts to one device, which matters if the export or the account leaks."),
    ("export-metadata", "software_id"): Weight(3, 3, "A design or account id in the recorded software links this image to other files and to the design itself; it matters if the export leaks."),
    ("exif", "software_id"): Weight(10, 10, "The id is inside the file itself: anyone who saves the photo can link it to the Canva design or account that made it."),
    ("export-metadata", "upload_ip"): Weight(5, 5, "An upload IP address maps to a town and a network (home, school or workplace); it matters if the export or the account leaks."),
    ("caption-text", "address"): Weight(35, 35, "A street address in text: full home address is rated 4.18/5 sensitive (VISPR).", "clue:address"),
    ("caption-text", "phone"): Weight(30, 30, "A phone number lets a stranger contact or harass the person directly.", "clue:phone"),
    ("caption-text", "student_number"): Weight(25, 25, "Student ID details are rated 3.79/5 sensitive (VISPR) and tie the photo to a school.", "clue:student_number"),
    ("caption-text", "home"): Weight(20, 20, "Words that mark home tell a stranger the place is where the person lives.", "clue:home"),
    ("caption-text", "email"): Weight(20, 20, "An e-mail address links the photo to other accounts and to direct contact.", "clue:email"),
    ("caption-text", "school"): Weight(20, 20, "Rooms were organised by school; perpetrators were often classmates (Korean cases, 2024).", "clue:school"),
    ("caption-text", "university"): Weight(15, 15, "Rooms were organised by school or university; education history is rated 2.92/5 (VISPR).", "clue:university"),
    ("caption-text", "workplace"): Weight(15, 15, "Perpetrators were often colleagues; victims' workplaces were spread with the images.", "clue:workplace"),
    ("caption-text", "event"): Weight(10, 10, "Graduation, wedding, family and classroom photos were the ones taken in the Korean cases.", "clue:event"),
    ("image-text", "id_card"): Weight(25, 25, "An ID card in the picture: student ID is rated 3.79/5 sensitive and national ID 4.25/5 (VISPR)."),
    ("image-text", "student_number"): Weight(25, 25, "A student number in the picture: student ID details are rated 3.79/5 sensitive (VISPR) and tie the photo to a school.", "clue:student_number"),
    ("image-text", "address"): Weight(35, 35, "An address readable in the picture: full home address is rated 4.18/5 sensitive (VISPR).", "clue:address"),
    ("image-text", "phone"): Weight(30, 30, "A phone number readable in the picture lets a stranger contact or harass the person directly.", "clue:phone"),
    ("image-text", "email"): Weight(20, 20, "An e-mail address readable in the picture links it to other accounts and to direct contact.", "clue:email"),
    ("image-text", "school"): Weight(20, 20, "A school name in the picture (sign, uniform, card): rooms were organised by school (Korean cases, 2024).", "clue:school"),
    ("image-text", "university"): Weight(15, 15, "A university name in the picture: education history is rated 2.92/5 (VISPR).", "clue:university"),
    ("image-text", "workplace"): Weight(15, 15, "A workplace in the picture (badge, sign): perpetrators were often colleagues.", "clue:workplace"),
    ("image-text", "home"): Weight(20, 20, "Words in the picture that mark home tell a stranger where the person lives.", "clue:home"),
    ("image-text", "name_tag"): Weight(15, 15, "A name readable in the picture: rooms spread victims' names with the images."),
    ("image-text", "licence_plate"): Weight(10, 10, "A licence plate ties the photo to a car and the places it is parked (the project's choice; the risk model gives no figure)."),
    ("image-text", "event"): Weight(10, 10, "Graduation, wedding, family and classroom photos were the ones taken in the Korean cases.", "clue:event"),
    ("caption-text", "tagged_user"): Weight(5, 15, "Tagged friends lead to the person's circle: 'acquaintance humiliation' rooms spread family and friends."),
    ("caption-text", "mention"): Weight(3, 9, "Mentioned accounts map the person's circle of friends."),
}

# A photo's position leaked twice (EXIF and geotag) is still one position.
# The user's face in one photo is one face, however many detections or copies show it.
GROUP_CAPS = {"location": 40, "face": 45, "place": 20}
# The same clue in the caption and in the picture (a phone number in both) is one clue.
GROUP_CAPS.update({weight.group: weight.cap for weight in WEIGHTS.values() if weight.group and weight.group.startswith("clue:")})
# Clues to who the person is (school, work, contact, home): what the report counts as identity clues.
IDENTITY_KINDS = {"phone", "email", "school", "university", "student_number", "workplace", "home", "address"}

# Kinds that stripping the location from a photo (and its post) takes away.
LOCATION_KINDS = {key for key, weight in WEIGHTS.items() if weight.group in ("location", "place")}

# Actions, most drastic first. Thresholds are the project's choice, explained in docs/scoring.md.
REMOVE_AT = 50
ARCHIVE_AT = 20


@dataclass(frozen=True)
class Reason:
    signal: str
    kind: str
    points: int
    summary: str
    fact: str
    evidence: dict

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Score:
    score: int
    action: str
    reasons: list[Reason]


def score_photo(findings: Iterable[dict]) -> Score:
    """Score one photo from its findings rows (dicts with signal, kind, summary, evidence)."""
    reasons: list[Reason] = []
    used: dict[object, int] = {}  # points given so far, per kind and per group
    ordered = sorted(findings, key=_award_order)
    for row in ordered:
        key = (row["signal"], row["kind"])
        weight = WEIGHTS.get(key)
        points = _award(weight, key, used) if weight else 0
        evidence = row["evidence"] if isinstance(row["evidence"], dict) else json.loads(row["evidence"])
        reasons.append(Reason(row["signal"], row["kind"], points, row["summary"], weight.fact if weight else "", evidence))
    reasons.sort(key=lambda r: -r.points)
    total = min(100, sum(r.points for r in reasons))
    return Score(total, recommend(total, reasons), reasons)


def _award_order(row: dict) -> tuple:
    """Heaviest first; among equals, the longest quote (the most specific clue) takes the points."""
    weight = WEIGHTS.get((row["signal"], row["kind"]))
    evidence = row["evidence"] if isinstance(row["evidence"], dict) else json.loads(row["evidence"])
    quote = str(evidence.get("quote", ""))
    return (-(weight.points if weight else 0), row["signal"], row["kind"], -len(quote), row["summary"])


def _award(weight: Weight, key: tuple[str, str], used: dict[object, int]) -> int:
    room = weight.cap - used.get(key, 0)
    if weight.group:
        room = min(room, GROUP_CAPS[weight.group] - used.get(weight.group, 0))
    points = max(0, min(weight.points, room))
    used[key] = used.get(key, 0) + points
    if weight.group:
        used[weight.group] = used.get(weight.group, 0) + points
    return points


def recommend(total: int, reasons: list[Reason]) -> str:
    """remove, archive, strip-location or keep; stripping is offered when location is the whole risk."""
    scoring = [r for r in reasons if r.points]
    if not scoring:
        return "keep"
    if all((r.signal, r.kind) in LOCATION_KINDS for r in scoring):
        return "strip-location"
    if total >= REMOVE_AT:
        return "remove"
    if total >= ARCHIVE_AT:
        return "archive"
    return "keep"
