"""What sources yield and signals return: plain dataclasses, no behaviour beyond small helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from .words import Said, render


# Who can see an appearance. Sources set it from the export's own facts; the config gives an account's default.
ANYONE = "anyone"  # a public post, a profile picture
FOLLOWERS = "followers"  # a private account, close friends, friends only
ONLY_YOU = "only-you"  # archived, an expired story, recently deleted, a private library, a folder not posted
AUDIENCES = (ANYONE, FOLLOWERS, ONLY_YOU)
STRANGERS = (ANYONE,)  # what a stranger can see
OTHERS = (ANYONE, FOLLOWERS)  # what anyone but the user can see: followers were often the ones who collected


@dataclass
class Origin:
    """Where a media file's bytes can be read again: a file, or a member of a zip archive."""

    path: str
    member: str | None = None

    def as_dict(self) -> dict:
        return {"path": self.path, "member": self.member}


@dataclass
class Item:
    """One media file of one post (or one file of a folder), as a source found it.

    `origin` is None when the post names a media file that the export does not contain:
    the post is still inventoried, with a note that its file is missing.
    """

    source_item: str  # file (and record) the item came from, for error messages
    media_name: str  # the media path as the platform or folder names it
    origin: Origin | None
    kind: str = "post"  # post, story, reel, profile_photo, archived_post, deleted_post, retweet, tagged, file
    media_type: str = "image"  # image or video
    post_id: str | None = None
    url: str | None = None
    posted_at: datetime | None = None  # aware, converted to UTC when stored
    caption: str | None = None
    location_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    tagged_users: list[str] = field(default_factory=list)
    audience: str | None = None  # one of AUDIENCES where the export says; else the account's default
    extra: dict[str, Any] = field(default_factory=dict)  # platform metadata kept as evidence

    def posted_at_utc(self) -> str | None:
        if self.posted_at is None:
            return None
        stamp = self.posted_at
        if stamp.tzinfo is None:  # sources only give naive times they know to be UTC
            stamp = stamp.replace(tzinfo=timezone.utc)
        return stamp.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ItemError:
    """A per-item failure: recorded in the `errors` table, and the run goes on."""

    source_item: str
    message: str
    # "skip" for files deliberately passed over; "note" for what an export cannot give (TikTok's holds no video),
    # said to the user at the end of the run and in the report. Neither is a failure.
    stage: str = "collect"


@dataclass
class Finding:
    """One checkable fact a signal found in a photo.

    `kind` names the fact (gps, phone, school...), `text` says it in plain words (a said-value of audit/words.py:
    an English template and its values, which the report renders in its language), and `evidence` holds the
    values behind it so that a person can check them.
    """

    kind: str
    text: Said
    evidence: dict[str, Any] = field(default_factory=dict)
    severity: str = "medium"  # high, medium, low, info

    @property
    def summary(self) -> str:
        """The English sentence: what the CLI, CSV and JSON show, and what the finding's stable id is made from."""
        return render(self.text)
