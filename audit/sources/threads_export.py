"""Threads' "Download your information" export (Meta's Accounts Center), zip or folder, JSON or HTML.

Threads comes inside the Instagram export (one download holds both accounts: `photo-audit run` finds two) or alone.
Where its posts are, from real exports (tests/fixtures/formats/threads_*/PROVENANCE.md), found by file name so that
a top folder or a bare `threads/` folder works too:
  your_instagram_activity/threads/threads_and_replies.json   {"text_post_app_text_posts": [post, ...]}
  your_instagram_activity/threads/threads_and_replies.html   one post box per post, Instagram's HTML
A post is Instagram's post record: `{"media": [{"uri", "creation_timestamp", "title", "media_metadata"}, ...],
"title", "creation_timestamp"}`, the caption on the post (several files) or on its one media file; the files are
under the export root's `media/`, as Instagram's, and are read by Instagram's readers (post_items, instagram_html).
What differs:
- Most posts are text only: one media entry with an empty `uri`, or a box without a picture. They hold nothing to
  inventory, and are counted in one note per document.
- Replies are in the same list. Exports since 2025 mark them with `text_app_post.is_reply` (documented by
  third-party parsers, not in our real samples): a reply with a picture is a post with `extra["reply"]`.
  The HTML does not tell them apart.
- No post id or link: the post id is the first media file's name, as for Instagram.
- The profile (threads/personal_information.json or .html) says whether the account is private ("Private Account";
  "非公開アカウント" in a real Japanese HTML export; the JSON key `text_post_app_text_post_app_profile` is documented,
  not seen) and names the profile picture, which is read with the name, bio and link beside it.
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Iterator

from ..inventory.archive import ExportTree, locate_media, open_export, refused_members
from ..models import ANYONE, FOLLOWERS, Item, ItemError
from .base import Source
from .instagram_export import Document as MetaDocument
from .instagram_export import post_items, read_bytes
from .readers.instagram_html import HTML_MEDIA, html_boxes, html_post_items, table_rows
from .readers.meta_records import RecordContext, each_record, epoch, parse_json, profile_text, record_list, text

DOCUMENT_NAME = re.compile(r"threads_and_replies(?:_\d+)?\.(?P<layout>json|html)")
DOCUMENT_PATTERNS = ("threads_and_replies*.json", "threads_and_replies*.html")
# Folders between the export root and a document, dropped from the right: your_threads_activity is a guess for an
# export of Threads alone (named by a third-party guide, not seen).
DOCUMENT_FOLDERS = ("threads", "your_instagram_activity", "your_threads_activity")
PROFILE_NAMES = ("personal_information.json", "personal_information.html")  # beside threads_and_replies
NOTHING_FOUND = (
    "no Threads posts found (expected your_instagram_activity/threads/threads_and_replies.json or .html); "
    "was Threads chosen when the export was requested?"
)
# The profile's rows by label: English (the JSON's keys, documented), and the Japanese of a real HTML export.
# A Korean export's labels are not known: its profile is then not read (the account's audience applies).
PRIVATE_LABELS = {"private account", "非公開アカウント"}
YES, NO = {"true", "yes", "예", "はい"}, {"false", "no", "아니요", "아니오", "いいえ"}
CAPTION_LABELS = {"name": "Name", "bio": "Bio", "自己紹介": "Bio", "link": "Link", "website": "Link", "リンク": "Link"}


class ThreadsExportSource(Source):
    name = "threads-export"
    app = "threads"
    exported = True
    description = "Threads 'Download your information' export, alone or inside Instagram's (zip or folder, JSON or HTML)"
    example = "formats/threads_dyi_json_2024_yungztr"
    needs = "path"

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        return bool(find_documents(tree))

    def items(self) -> Iterator[Item | ItemError]:
        tree, documents = open_export(self.account.path, find_documents, NOTHING_FOUND)
        yield from refused_members(tree)
        private, photo = yield from read_profile(tree, documents[0].rel)
        for document in documents:
            for entry in read_document(tree, document):
                if isinstance(entry, Item):
                    entry.origin = locate_media(tree, document.root, entry.media_name)
                    entry.audience = None if private is None else FOLLOWERS if private else ANYONE
                yield entry
        if photo:
            photo.origin = locate_media(tree, documents[0].root, photo.media_name)
            yield photo


def find_documents(tree: ExportTree) -> list[MetaDocument]:
    found = set()
    for pattern in DOCUMENT_PATTERNS:
        for rel in tree.glob(pattern):
            match = DOCUMENT_NAME.fullmatch(PurePosixPath(rel).name)
            if match:
                found.add(MetaDocument(rel, match["layout"], "post", export_root(rel)))
    return sorted(found)


def export_root(rel: str) -> str:
    """The folder above a document's `threads/` (and `your_instagram_activity/`): media URIs are relative to it."""
    parts = list(PurePosixPath(rel).parts[:-1])
    for folder in DOCUMENT_FOLDERS:
        if parts and parts[-1] == folder:
            parts.pop()
    return "/".join(parts)


class TextOnly:
    """How many posts of a document hold no picture: said in one note, not one error each."""

    def __init__(self):
        self.count = 0

    def note(self, rel: str) -> Iterator[ItemError]:
        if self.count:
            yield ItemError(rel, f"skipped: posts and replies of text only, with no photo or video: {self.count}",
                            stage="skip")


def read_document(tree: ExportTree, document: MetaDocument) -> Iterator[Item | ItemError]:
    raw = yield from read_bytes(tree, document.rel)
    if raw is None:
        return
    text_only = TextOnly()
    if document.layout == "html":
        boxes = yield from html_boxes(raw, document.rel)
        yield from each_record(boxes or [], document.rel, partial(box_items, text_only=text_only))
    else:
        data = yield from parse_json(raw, document.rel)
        records = record_list(data)
        if data is not None and records is None:
            yield ItemError(document.rel, 'expected {"text_post_app_text_posts": [...]}')
        yield from each_record(records or [], document.rel, partial(record_items, text_only=text_only))
    yield from text_only.note(document.rel)


def record_items(record: Any, context: RecordContext, text_only: TextOnly) -> Iterator[Item]:
    """A post's Items, as Instagram reads a post; nothing for a text-only post."""
    media = record.get("media") if isinstance(record, dict) else None
    if isinstance(media, list) and all(isinstance(entry, dict) and entry.get("uri") in (None, "") for entry in media):
        text_only.count += 1
        return
    reply = isinstance(media, list) and any([is_reply(entry, context, f"media[{index}].text_app_post")
                                             for index, entry in enumerate(media) if isinstance(entry, dict)])
    for item in post_items(record, context, kind="post", bare_uri_type="image"):
        if reply:
            item.extra["reply"] = True
        yield item


def is_reply(media: dict, context: RecordContext, field: str) -> bool:
    post = media.get("text_app_post", {})
    if not isinstance(post, dict):
        context.note(field, "is not a JSON object")
        return False
    return post.get("is_reply") is True


def box_items(box, context: RecordContext, text_only: TextOnly) -> Iterator[Item]:
    if not any(tag["src"].strip() for tag in box.select(HTML_MEDIA)):
        text_only.count += 1
        return
    yield from html_post_items(box, context, kind="post")


# --- the profile: threads/personal_information.json or .html -----------------------------------


def read_profile(tree: ExportTree, document: str) -> Iterator[ItemError]:
    """The profile beside the posts document: yields the problems; returns whether the account is private (None:
    not said, or not in words this tool reads) and the profile picture (None without one)."""
    folder = PurePosixPath(document).parent
    rel = next((rel for name in PROFILE_NAMES if tree.exists(rel := (folder / name).as_posix())), None)
    raw = (yield from read_bytes(tree, rel)) if rel else None
    if raw is None:
        return None, None
    context = RecordContext(rel, "profile")
    read = html_profile if rel.endswith(".html") else json_profile
    rows, uri, posted_at = yield from read(raw, rel, context)
    said = [value for label, value in rows if label.casefold() in PRIVATE_LABELS]
    private = yes_no(said[0], context) if said else None
    fields = {CAPTION_LABELS[label.casefold()]: value for label, value in rows if label.casefold() in CAPTION_LABELS}
    photo = Item(f"{rel} profile", uri, None, kind="profile_photo", posted_at=posted_at, caption=profile_text(fields),
                 extra={"profile": fields} if fields else {}) if uri else None
    yield from context.errors()
    if rows and not said:
        yield ItemError(rel, "skipped: no 'Private Account' row in words this tool reads: the account's audience "
                        "applies", stage="skip")
    return private, photo


def json_profile(raw: bytes, rel: str, context: RecordContext) -> Iterator[ItemError]:
    """`{"text_post_app_text_post_app_profile": [{"string_map_data": {label: {"value"}}, "media_map_data":
    {"Profile Photo": {"uri", "creation_timestamp"}}}]}`: the labelled rows, the picture's uri and time."""
    data = yield from parse_json(raw, rel)
    users = record_list(data) if data is not None else None
    user = users[0] if users and isinstance(users[0], dict) else None
    if user is None:
        if data is not None:
            yield ItemError(rel, 'expected {"text_post_app_text_post_app_profile": [{...}]}')
        return [], None, None
    strings = user.get("string_map_data", {})
    strings = strings if isinstance(strings, dict) else {}
    rows = [(label, text(entry.get("value") or entry.get("href"), context, f"string_map_data.{label}") or "")
            for label, entry in strings.items() if isinstance(entry, dict)]
    photo = user.get("media_map_data", {})
    photo = photo.get("Profile Photo") if isinstance(photo, dict) else None
    photo = photo if isinstance(photo, dict) else {}
    uri = text(photo.get("uri"), context, "media_map_data.Profile Photo.uri")
    return rows, uri, epoch(photo.get("creation_timestamp"), context, "media_map_data.Profile Photo.creation_timestamp")


def html_profile(raw: bytes, rel: str, context: RecordContext) -> Iterator[ItemError]:
    """One box of rows (label, then value), the picture's row holding an img (the logo is outside the box)."""
    boxes = yield from html_boxes(raw, rel)
    rows = [row for box in boxes or [] for table in box.find_all("table") for row in table_rows(table, context)]
    image = next((tag for box in boxes or [] for tag in box.select(HTML_MEDIA) if tag["src"].strip()), None)
    return rows, image["src"] if image else None, None


def yes_no(value: str, context: RecordContext) -> bool | None:
    if value.strip().casefold() in YES | NO:
        return value.strip().casefold() in YES
    context.note("Private Account", f"is neither yes nor no: {value!r}; the account's audience applies")
    return None
