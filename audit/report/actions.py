"""What a person can do about a posted picture: one table (ACTIONS) of every action, with its name, where it
exists, what it takes away in the removal plan, and the plan's alternatives to it.

The report's cards and the removal plan offer an action only where the platform has it (no archiving a profile
picture, no close friends for a blog). Platforms are source names (`appearances.platform`); kinds are the
appearance kinds the sources write.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from ..models import OTHERS
from ..words import N_

INSTAGRAM = ("instagram-export", "instagram", "instaloader-folder")

# What a card can recommend, most drastic first (scoring.recommend picks among remove, archive, strip-location
# and keep; card_action adjusts that to where the picture is posted).
REMOVE, REPLACE, UNTAG, ARCHIVE, STRIP, KEEP, NOT_VISIBLE = (
    "remove", "replace-profile-picture", "untag", "archive", "strip-location", "keep", "not-visible",
)
# What else the removal plan words: a step covering the face, and the ways to the same end it offers.
COVER, CLOSE_FRIENDS, EDIT_LOCATION, COVER_AND_STRIP = "cover-face", "close-friends", "edit-location", "cover-and-strip"
# Posts that are someone else's: the user can only remove her tag and ask the owner to take the photo down.
OTHERS_POSTS = {"tagged"}


@dataclass(frozen=True)
class Action:
    label: str | None = None  # what a card says it is (translated by its text); None: only the plan's template words it
    # Where it exists: platform -> kinds of post. None: on every post (removing a post, and posting a cleaned copy in
    # its place, exist everywhere).
    where: dict[str, frozenset[str]] | None = None
    # What a step of the removal plan takes away from a picture: its facets and score points (exposure.Card) of
    # these families. "place": its part in the places that repeat; "other": the rest of its score (tags, events...).
    takes: frozenset[str] = frozenset()
    # Ways to the same end that the plan offers, each only where every post of the picture has it.
    alternatives: tuple[str, ...] = ()


# Every action, most drastic first. Instagram archives posts and reels (not stories or the profile picture);
# Facebook moves posts to its archive and limits a post's audience; Instagram stories can go to close friends only.
# A post's place can be edited away in place where EDIT_LOCATION exists; elsewhere (X cannot edit a post, a file is
# re-saved) the post is taken down and posted again without it.
ACTIONS: dict[str, Action] = {
    REMOVE: Action(
        N_("Remove"),
        takes=frozenset({"face", "location", "place", "clue", "other"}),
        alternatives=(ARCHIVE, CLOSE_FRIENDS, COVER_AND_STRIP),
    ),
    REPLACE: Action(N_("Replace the profile picture")),
    UNTAG: Action(N_("Remove your tag (the post is someone else's)")),
    ARCHIVE: Action(
        N_("Archive (hide from the public)"),
        where={**{platform: frozenset({"post", "reel"}) for platform in INSTAGRAM}, "facebook-export": frozenset({"post"})},
    ),
    CLOSE_FRIENDS: Action(
        where={**{platform: frozenset({"story"}) for platform in INSTAGRAM}, "facebook-export": frozenset({"post"})},
    ),
    COVER: Action(takes=frozenset({"face", "clue"}), alternatives=(ARCHIVE, CLOSE_FRIENDS, REMOVE)),
    COVER_AND_STRIP: Action(),
    STRIP: Action(N_("Strip the location"), takes=frozenset({"location", "place"}), alternatives=(ARCHIVE, CLOSE_FRIENDS, REMOVE)),
    EDIT_LOCATION: Action(
        where={
            **{platform: frozenset({"post", "reel"}) for platform in INSTAGRAM},
            "facebook-export": frozenset({"post"}),
            "website": frozenset({"post", "image"}),
            "feed": frozenset({"post", "image"}),
        },
    ),
    KEEP: Action(N_("Keep")),
    NOT_VISIBLE: Action(N_("Not visible now")),
}
# What the cards and the plan call each action they recommend.
LABELS = {name: action.label for name, action in ACTIONS.items() if action.label}


def exists(action: str, platform: str, kind: str) -> bool:
    """Whether one post (platform, kind) has the action; actions without a `where` exist everywhere."""
    record = ACTIONS.get(action)
    where = record.where if record else None
    return where is None or kind in where.get(platform, ())


def exists_everywhere(action: str, appearances: Iterable[dict]) -> bool:
    return all(exists(action, row["platform"], row["kind"]) for row in appearances)


def card_action(scored: str, appearances: list[dict]) -> str:
    """The score's action (scoring.recommend), made one that exists wherever the picture can be seen.

    Only the user sees it: nothing to take down. A profile picture cannot be archived or deleted on its own:
    it is replaced. Someone else's post cannot be deleted by her: she removes her tag. A picture that cannot be
    archived everywhere it is posted is removed."""
    seen = [row for row in appearances if row["audience"] in OTHERS]
    if not seen:
        return NOT_VISIBLE
    if scored in (REMOVE, ARCHIVE) and all(row["kind"] in OTHERS_POSTS for row in seen):
        return UNTAG
    if scored in (REMOVE, ARCHIVE) and any(row["kind"] == "profile_photo" for row in seen):
        return REPLACE
    if scored == ARCHIVE and not exists_everywhere(ARCHIVE, seen):
        return REMOVE
    return scored
