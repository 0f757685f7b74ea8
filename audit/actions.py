"""What a person can do about a posted picture, and where each action exists.

The one table of which platform and kind of post has which action: the report's cards and the removal plan
offer an action only where the platform has it (no archiving a profile picture, no close friends for a blog).
Platforms are source names (`appearances.platform`); kinds are the appearance kinds the sources write.
"""

from __future__ import annotations

from typing import Iterable

from .models import OTHERS

INSTAGRAM = ("instagram-export", "instagram", "instaloader-folder")

# Actions that only some platforms have, and where: platform -> kinds of post. Removing a post, and posting a
# cleaned copy in its place, exist everywhere. Instagram archives posts and reels (not stories or the profile
# picture); Facebook moves posts to its archive and limits a post's audience; Instagram stories can go to close
# friends only.
WHERE = {
    "archive": {**{platform: {"post", "reel"} for platform in INSTAGRAM}, "facebook-export": {"post"}},
    "close-friends": {**{platform: {"story"} for platform in INSTAGRAM}, "facebook-export": {"post"}},
    # Where a post's place can be edited away in place; elsewhere (X cannot edit a post, a file is re-saved)
    # the post is taken down and posted again without it.
    "edit-location": {
        **{platform: {"post", "reel"} for platform in INSTAGRAM},
        "facebook-export": {"post"},
        "website": {"post", "image"},
        "feed": {"post", "image"},
    },
}

# What a card can recommend, most drastic first (scoring.recommend picks among remove, archive, strip-location
# and keep; card_action adjusts that to where the picture is posted).
REMOVE, REPLACE, UNTAG, ARCHIVE, STRIP, KEEP, NOT_VISIBLE = (
    "remove", "replace-profile-picture", "untag", "archive", "strip-location", "keep", "not-visible",
)
# Posts that are someone else's: the user can only remove her tag and ask the owner to take the photo down.
OTHERS_POSTS = {"tagged"}
LABELS = {
    REMOVE: "Remove",
    REPLACE: "Replace the profile picture",
    UNTAG: "Remove your tag (the post is someone else's)",
    ARCHIVE: "Archive (hide from the public)",
    STRIP: "Strip the location",
    KEEP: "Keep",
    NOT_VISIBLE: "Not visible now",
}


def exists(action: str, platform: str, kind: str) -> bool:
    """Whether one post (platform, kind) has the action; actions outside WHERE exist everywhere."""
    where = WHERE.get(action)
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
