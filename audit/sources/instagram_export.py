"""Instagram "Download your information" exports: every JSON layout since 2018, and the HTML variant (2024 on).

Where the media lists are (docs/formats.md), found by file name so that an export zipped inside a
top folder works too:
  media.json                                  before 2021: {"photos": [...], "videos": [...], ...}
  content/posts_1.json, stories.json...       2019-2021, at the root of the export
  your_instagram_activity/content/...         2021 on
  your_instagram_activity/media/...           some 2025 exports; also posts_1.html... (HTML variant)
Besides posts, stories, reels and profile photos: archived_posts and recently_deleted_content
({"ig_recently_deleted_media": [post, ...]}), which only the user sees.
The exported media files carry no EXIF: location and camera details survive only in these documents,
so every post is inventoried even when its media file is not in the export.

The profile (personal_information/personal_information.json; since 2024 one folder deeper,
personal_information/personal_information/personal_information.json; not in formats.md):
  {"profile_user": [{"media_map_data": {"Profile Photo": {"uri", "creation_timestamp"}},
                     "string_map_data": {"Name": {"value"}, "Bio": {...}, "Website": {...}, "Username": {...},
                                         "Email", "Phone Number", "Gender", "Date of birth", ...}}]}
A stranger reads the name, bio and website beside the current profile picture, so they become that
picture's caption (and `extra["profile"]`): the picture `media_map_data` names, else the newest one of
profile_photos.json; when no media list has a profile picture, the one `media_map_data` names is inventoried
from there. E-mail, phone number, gender and date of birth are the account's private data, not shown on the
profile: they are never read. Labels of non-English exports are not known; only the English ones are read.
The HTML variant is read by instagram_html; the record readers shared with other Meta exports are in
meta_records.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Iterator, NamedTuple

from ..inventory.archive import READ_ERRORS, ExportTree, locate_media, open_export, refused_members
from ..models import ONLY_YOU, Item, ItemError
from .base import Source
from .readers.instagram_html import html_entries
from .readers.meta_records import (
    RecordContext,
    each_record,
    epoch,
    exif_location,
    exif_records,
    expired,
    iso_time,
    media_type,
    parse_json,
    profile_text,
    record_list,
    text,
)

# A media list's file name without its number (posts_2.json -> posts) says what its items are.
KINDS = {
    "posts": "post",
    "stories": "story",
    "reels": "reel",
    "profile_photos": "profile_photo",
    "archived_posts": "archived_post",
    "recently_deleted_content": "deleted_post",
}
# Who sees what the export lists: archived and recently deleted posts only the user; a story only the user once it
# has expired. The export does not say which stories a highlight keeps on the profile (no list of highlights is
# known in either layout of any real export), so an expired story kept in a highlight is wrongly counted as hidden.
ONLY_YOURS = {"archived_post", "deleted_post"}
DOCUMENT_NAME = re.compile(r"(?P<stem>" + "|".join(KINDS) + r")(?:_\d+)?\.(?P<layout>json|html)")
# Glob patterns match from the right: they also find `your_instagram_activity/...` and a top folder.
DOCUMENT_PATTERNS = ("content/*.json", "media/*.json", "content/*.html", "media/*.html")
LEGACY_DOCUMENT = "media.json"
# What the error names when none of the documents above is found.
NOTHING_FOUND = (
    "no Instagram media lists found (expected your_instagram_activity/content/posts_1.json, content/posts_1.json, "
    "media.json or posts_1.html)"
)
# media.json keeps one list per kind; "direct" (photos sent in private messages) is not something posted.
LEGACY_KINDS = {"photos": "post", "videos": "post", "stories": "story", "profile": "profile_photo"}
# Matched from the right: both the older path and the 2024 one (personal_information/ twice), in any top folder.
PROFILE_DOCUMENT = "personal_information/personal_information.json"
# What the profile shows a stranger, in the order shown: the picture's caption. Username is shown too, but
# names nothing the handle does not; it is kept in extra only.
PROFILE_CAPTION_FIELDS = ("Name", "Bio", "Website")
PROFILE_FIELDS = (*PROFILE_CAPTION_FIELDS, "Username")


class InstagramExportSource(Source):
    name = "instagram-export"
    app = "instagram"
    exported = True
    description = "Instagram 'Download your information' export (zip or folder, JSON or HTML)"
    example = "formats/instagram_dyi_html_2025_akbarskuyyy"
    needs = "path"

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        return bool(find_documents(tree))

    def items(self) -> Iterator[Item | ItemError]:
        tree, documents = open_export(self.account.path, find_documents, NOTHING_FOUND)
        yield from refused_members(tree)
        now = datetime.now(timezone.utc)
        profile_photos = []  # held back until every list is read: the profile's text goes on the current one
        for document in documents:
            for entry in read_document(tree, document):
                if isinstance(entry, Item):
                    entry.origin = locate_media(tree, document.root, entry.media_name)
                    entry.audience = audience(entry, now)
                    if entry.kind == "profile_photo":
                        profile_photos.append(entry)
                        continue
                yield entry
        yield from profile_entries(tree, profile_photos)


def audience(item: Item, now: datetime) -> str | None:
    """What the export says about who sees an item (None: it does not say; the account's default applies)."""
    if item.kind in ONLY_YOURS or (item.kind == "story" and expired(item.posted_at, now)):
        return ONLY_YOU
    return None


class Document(NamedTuple):
    rel: str  # path in the export tree
    layout: str  # "json", "html", or "legacy" for media.json
    kind: str | None  # Item kind of every record; None for media.json, which holds several kinds
    root: str  # the export's root folder in the tree: media URIs are relative to it


def find_documents(tree: ExportTree) -> list[Document]:
    found = []
    for pattern in DOCUMENT_PATTERNS:
        for rel in tree.glob(pattern):
            match = DOCUMENT_NAME.fullmatch(PurePosixPath(rel).name)
            if match:
                found.append(Document(rel, match["layout"], KINDS[match["stem"]], export_root(rel, depth=2)))
    for rel in tree.glob(LEGACY_DOCUMENT):
        found.append(Document(rel, "legacy", None, export_root(rel, depth=1)))
    return sorted(found)


def export_root(rel: str, depth: int) -> str:
    """The folder above a document's `content/` or `media/` (and `your_instagram_activity/`)."""
    parts = PurePosixPath(rel).parts[:-depth]
    if parts and parts[-1] == "your_instagram_activity":
        parts = parts[:-1]
    return "/".join(parts)


def read_bytes(tree: ExportTree, rel: str) -> Iterator[ItemError]:
    """Yields an ItemError and returns None when the file cannot be read; returns its bytes."""
    try:
        return tree.read(rel)
    except READ_ERRORS as exc:
        yield ItemError(rel, f"could not read the file: {getattr(exc, 'message', exc)}")
        return None


def read_document(tree: ExportTree, document: Document) -> Iterator[Item | ItemError]:
    raw = yield from read_bytes(tree, document.rel)
    if raw is None:
        return
    if document.layout == "html":
        yield from html_entries(raw, document)
        return
    data = yield from parse_json(raw, document.rel)
    if data is None:
        return
    if document.layout == "legacy":
        yield from legacy_entries(data, document.rel)
        return
    records = record_list(data)
    if records is None:
        yield ItemError(document.rel, "expected a list of records, or an object holding one")
        return
    # Reel URIs may have no extension: they are videos all the same.
    bare_uri_type = "video" if document.kind == "reel" else "image"
    yield from each_record(records, document.rel, partial(post_items, kind=document.kind, bare_uri_type=bare_uri_type))


# --- JSON, 2019 onwards ---------------------------------------------------------------------------


def post_items(record: Any, context: RecordContext, kind: str, bare_uri_type: str) -> Iterator[Item]:
    """The Items of one record: a post `{"media": [...], "title", "creation_timestamp"}`, or a single
    media object that is its own post (stories, profile photos)."""
    media_list = record_media(record, context)
    if media_list is None:
        return
    nested = "media" in record
    first = media_list[0] if isinstance(media_list[0], dict) else {}
    # A post's caption is its `title`; a single-media post may carry it only on the media.
    caption = text(record.get("title"), context, "title")
    if caption is None and nested:
        caption = text(first.get("title"), context, "media[0].title")
    post_time = epoch(record.get("creation_timestamp"), context, "creation_timestamp") if nested else None
    # post_id: the stem of the post's first media file. Instagram names files after media ids, so the
    # id is stable across exports and shared by every file of a carousel.
    first_uri = first.get("uri")
    post_id = PurePosixPath(first_uri).stem if isinstance(first_uri, str) and first_uri else None
    post = {"kind": kind, "post_id": post_id, "caption": caption}
    for index, media in enumerate(media_list):
        where = f"media[{index}]." if nested else ""
        if not isinstance(media, dict):
            context.note(f"media[{index}]", "is not a JSON object")
            continue
        item = media_item(media, context, where, post_time, bare_uri_type, post)
        if item:
            yield item


def record_media(record: Any, context: RecordContext) -> list | None:
    if not isinstance(record, dict):
        context.note("(record)", "is not a JSON object")
        return None
    if "media" not in record:
        if "uri" in record:
            return [record]
        context.note("media", "is missing (and the record has no 'uri' either)")
        return None
    if not isinstance(record["media"], list) or not record["media"]:
        context.note("media", "is not a non-empty list")
        return None
    return record["media"]


def media_item(
    media: dict, context: RecordContext, where: str, post_time: datetime | None, bare_uri_type: str, post: dict
) -> Item | None:
    """One media file of a post (`post` holds the fields its files share); None without a file name."""
    uri = media.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        context.note(f"{where}uri", "is missing: no media file is named")
        return None
    posted_at = epoch(media.get("creation_timestamp"), context, f"{where}creation_timestamp") or post_time
    metadata = media.get("media_metadata") if isinstance(media.get("media_metadata"), dict) else {}
    exif = exif_records(metadata, context, where)
    lat, lon = exif_location(exif, context, where)
    return Item(
        source_item=context.source_item,
        media_name=uri,
        origin=None,  # set by the caller of read_document, which knows the tree
        media_type=media_type(uri, "video_metadata" in metadata, bare_uri_type),
        **post,
        posted_at=posted_at,
        lat=lat,
        lon=lon,
        extra={"exif_data": exif} if exif else {},
    )


# --- JSON, media.json before 2021 -----------------------------------------------------------------


def legacy_entries(data: Any, rel: str) -> Iterator[Item | ItemError]:
    if not isinstance(data, dict):
        yield ItemError(rel, "expected a JSON object with 'photos' and 'videos' lists")
        return
    for key, kind in LEGACY_KINDS.items():
        records = data.get(key, [])
        if not isinstance(records, list):
            yield ItemError(rel, f"field '{key}' is not a list")
            continue
        bare_uri_type = "video" if key == "videos" else "image"  # as for reels: no extension, still a video
        read = partial(legacy_item, kind=kind, bare_uri_type=bare_uri_type)
        yield from each_record(records, rel, read, name=f"{key} record")


def legacy_item(record: Any, context: RecordContext, kind: str, bare_uri_type: str) -> Iterator[Item]:
    """`{"caption", "taken_at": "2018-12-31T08:05:13", "path", "location"}`: one file per record."""
    if not isinstance(record, dict):
        context.note("(record)", "is not a JSON object")
        return
    path = record.get("path")
    if not isinstance(path, str) or not path.strip():
        context.note("path", "is missing: no media file is named")
        return
    yield Item(
        source_item=context.source_item,
        media_name=path,
        origin=None,
        kind=kind,
        media_type=media_type(path, False, bare_uri_type),
        post_id=PurePosixPath(path).stem,  # media ids name the files here too
        posted_at=iso_time(record.get("taken_at"), context, "taken_at"),
        caption=text(record.get("caption"), context, "caption"),
        location_name=text(record.get("location"), context, "location"),
    )


# --- the profile: personal_information.json -------------------------------------------------------


class Profile(NamedTuple):
    rel: str
    root: str  # the export's root folder: the photo URI is relative to it
    fields: dict[str, str]  # PROFILE_FIELDS that have text
    photo_uri: str | None  # the current profile picture
    photo_time: datetime | None


def profile_entries(tree: ExportTree, photos: list[Item]) -> Iterator[Item | ItemError]:
    """The profile pictures, the current one with what a stranger reads beside it."""
    profile = yield from read_profile(tree)
    if profile is not None:
        current = current_photo(tree, photos, profile)
        caption = profile_text({key: profile.fields.get(key) for key in PROFILE_CAPTION_FIELDS})
        if caption and current is None:
            yield ItemError(
                profile.rel,
                "skipped: the profile's name, bio and website are not inventoried: the export holds no profile "
                "picture to show them beside",
                stage="skip",
            )
        elif caption:
            current.caption = "\n".join(filter(None, [caption, current.caption]))
            current.extra["profile"] = profile.fields
    yield from photos


def current_photo(tree: ExportTree, photos: list[Item], profile: Profile) -> Item | None:
    """The photo the profile names, else the newest one; an Item for the profile's photo when no list has one."""
    named = [photo for photo in photos if photo.media_name == profile.photo_uri]
    if named or photos:
        return (named or sorted(photos, key=lambda photo: photo.posted_at_utc() or ""))[-1]
    if profile.photo_uri is None:
        return None
    photo = Item(
        source_item=f"{profile.rel} profile_user 0",
        media_name=profile.photo_uri,
        origin=locate_media(tree, profile.root, profile.photo_uri),
        kind="profile_photo",
        posted_at=profile.photo_time,
    )
    photos.append(photo)
    return photo


def read_profile(tree: ExportTree) -> Iterator[ItemError]:
    """Yields the problems; returns the Profile, or None when the export has none that can be read."""
    rel = next(tree.glob(PROFILE_DOCUMENT), None)
    raw = (yield from read_bytes(tree, rel)) if rel else None
    data = (yield from parse_json(raw, rel)) if raw is not None else None
    users = data.get("profile_user") if isinstance(data, dict) else None
    if not (isinstance(users, list) and users and isinstance(users[0], dict)):
        if data is not None:
            yield ItemError(rel, 'expected {"profile_user": [{...}]}')
        return None
    context = RecordContext(rel, "profile_user 0")
    strings = object_at(users[0], ("string_map_data",), context)
    fields = {key: profile_field(strings[key], context, key) for key in PROFILE_FIELDS if key in strings}
    photo = object_at(users[0], ("media_map_data", "Profile Photo"), context)
    uri = text(photo.get("uri"), context, "media_map_data.Profile Photo.uri")
    posted_at = epoch(photo.get("creation_timestamp"), context, "media_map_data.Profile Photo.creation_timestamp")
    yield from context.errors()
    parts = PurePosixPath(rel).parts
    root = "/".join(parts[: parts.index("personal_information")])
    return Profile(rel, root, {key: value for key, value in fields.items() if value}, uri, posted_at)


def object_at(record: dict, path: tuple[str, ...], context: RecordContext) -> dict:
    """record[path[0]][path[1]]...: {} when a step is missing, and noted when it is not an object."""
    for depth, key in enumerate(path):
        record = record.get(key, {})
        if not isinstance(record, dict):
            context.note(".".join(path[: depth + 1]), "is not a JSON object")
            return {}
    return record


def profile_field(entry: Any, context: RecordContext, key: str) -> str | None:
    """`{"href", "value", "timestamp"}`: the value (a website may have only its href)."""
    if not isinstance(entry, dict):
        context.note(f"string_map_data.{key}", "is not a JSON object")
        return None
    field = "value" if entry.get("value") else "href"
    return text(entry.get(field), context, f"string_map_data.{key}.{field}")
