"""What a redacted report shows in place of free text: the kind of clue the signals found in it.

A caption, or text read off a picture, would re-identify the person however well its names and numbers are masked
("서울한강대학교 23학번 새내기입니다" beside a blurred face). So none of it is shown: a caption becomes the labels of the
clues found in it ("[university name] [student number]"), and a finding that quotes text quotes its label instead.

Nothing is classified again here. A finding whose words quote text (a `%(quote)s` in its sentence: caption-text's
and image-text's findings) is a clue found in that text; its own kind, and whether it named the place (an evidence
`name`: "Hanbit Girls' High School" rather than "high school"), say which label it gets. This module only words the
kinds; a kind it has no word for is "[text]".
"""

from __future__ import annotations

from ...words import N_, render, say

QUOTE = "quote"  # the parameter in which a finding's words quote the text it was found in
# Evidence that is not her text, kept (and masked like any string): what the report and the exports link by.
LINKS = frozenset({"appearance", "account", "platform", "handle"})
LABELS = {
    "school": N_("[school]"),
    "university": N_("[university]"),
    "student_number": N_("[student number]"),
    "workplace": N_("[workplace]"),
    "home": N_("[home]"),
    "address": N_("[address]"),
    "phone": N_("[phone number]"),
    "email": N_("[e-mail address]"),
    "mention": N_("[mentioned account]"),
    "tagged_user": N_("[tagged account]"),
    "hashtag": N_("[hashtag]"),
    "event": N_("[event]"),
    "id_card": N_("[ID card]"),
    "name_tag": N_("[written name]"),
    "licence_plate": N_("[licence plate]"),
}
NAMED = {"school": N_("[school name]"), "university": N_("[university name]")}
ANY_TEXT = N_("[text]")


def quotes_text(reason: dict) -> bool:
    """Whether this finding quotes text that the person wrote or that was read from her picture (in its words, or, for
    a finding stored before findings had words, in its evidence)."""
    return QUOTE in (_words(reason).get("with") or {}) or QUOTE in (reason.get("evidence") or {})


def label(reason: dict) -> str:
    """The English label (a gettext message) of the clue a quoting finding found."""
    named = NAMED.get(reason["kind"]) if (reason.get("evidence") or {}).get("name") else None
    return named or LABELS.get(reason["kind"], ANY_TEXT)


def unquoted(reason: dict, walked: dict) -> dict:
    """`walked` (the finding with its strings masked) with its label wherever it held the text: in its words (said in
    the report's language), its English summary and its evidence (context, line, name, tag...)."""
    clue = label(reason)
    evidence = {key: clue if isinstance(value, str) and key not in LINKS else value
                for key, value in (walked.get("evidence") or {}).items()}
    if QUOTE not in (_words(reason).get("with") or {}):
        return {**walked, "summary": clue, "evidence": evidence}  # stored without words: its summary is the quote's
    text = {**walked["text"], "with": {**walked["text"]["with"], QUOTE: say(clue)}}
    return {**walked, "text": text, "summary": render(text), "evidence": evidence}


def _words(reason: dict) -> dict:
    words = reason.get("text")
    return words if isinstance(words, dict) else {}


def caption_labels(reasons: list[dict], appearance: str) -> list[str]:
    """The labels of the clues found in one post's caption and tags, each once, in the order the card lists them."""
    found = (label(reason) for reason in reasons
             if quotes_text(reason) and (reason.get("evidence") or {}).get("appearance") == appearance)
    return list(dict.fromkeys(found))
