"""Facebook "Download your information" exports (JSON), as a zip or a folder.

Where the media lists are (docs/formats.md), found by file name so that an export zipped inside a
top folder works too:
  posts/your_posts_1.json (2018: your_posts.json)                              posts, until about 2022
  your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json  posts, later
  photos_and_videos/album/N.json (2018-2020), posts/album/N.json,
    your_facebook_activity/posts/album/N.json                                  albums
  your_videos.json, your_uncategorized_photos.json beside the albums           media in no album or post
A post is {"timestamp", "data": [{"post": text}], "attachments": [{"data": [{"media": {...}},
{"place": {...}}, ...]}]}; an album is {"name", "photos": [media...], "cover_photo"} (the cover is one
of the photos). A media object keeps its metadata either as one flat object (2018 albums:
media_metadata.photo_metadata = {camera_make, taken_timestamp, latitude, upload_ip...}) or as the later
`exif_data` list. A photo posted to the timeline is also in an album under the same URI: it becomes one
Item, with the post's caption and both records' metadata. Album photos are therefore held in memory
until the posts are read. Video thumbnails are frames Facebook picked, not posted photos: not inventoried.
Who sees a post: neither the samples nor docs/formats.md show an audience (privacy) field in the JSON, so the
audience is left unsaid and the account's default applies.
"""

from __future__ import annotations

import ipaddress
import posixpath
import re
from datetime import datetime
from functools import partial
from pathlib import PurePosixPath
from typing import Any, Iterator, NamedTuple

from ..inventory.archive import READ_ERRORS, ExportTree, locate_media, open_export, refused_members
from ..models import Item, ItemError
from .base import Source
from .readers.meta_records import (
    RecordContext,
    coordinates,
    each_record,
    epoch,
    exif_location,
    exif_records,
    media_type,
    parse_json,
    record_list,
    text,
)

# (glob, file name, layout): globs match from the right, so a top folder and your_facebook_activity/ fit.
DOCUMENT_PATTERNS = (
    ("posts/*.json", re.compile(r"your_posts(?:__check_ins__photos_and_videos)?(?:_\d+)?\.json"), "posts"),
    ("posts/album/*.json", re.compile(r"\d+\.json"), "album"),
    ("photos_and_videos/album/*.json", re.compile(r"\d+\.json"), "album"),
    ("posts/*.json", re.compile(r"your_(?:videos|uncategorized_photos)\.json"), "media"),
    ("photos_and_videos/*.json", re.compile(r"your_videos\.json"), "media"),
)
ACTIVITY_FOLDER = "your_facebook_activity"
# What the error names when none of the documents above is found.
NOTHING_FOUND = (
    "no Facebook posts or albums found (expected posts/your_posts_1.json, "
    "your_facebook_activity/posts/your_posts__check_ins__photos_and_videos_1.json or photos_and_videos/album/0.json); "
    "is it the JSON export?"
)


class FacebookExportSource(Source):
    name = "facebook-export"
    app = "facebook"
    exported = True
    description = "Facebook 'Download your information' export (zip or folder, JSON): posts, albums, check-ins"
    example = "formats/facebook_dyi_json_album_2018_addshore"
    needs = "path"

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        return bool(find_documents(tree))

    def items(self) -> Iterator[Item | ItemError]:
        tree, documents = open_export(self.account.path, find_documents, NOTHING_FOUND)
        yield from refused_members(tree)
        yield from export_entries(tree, documents)


class Document(NamedTuple):
    rel: str  # path in the export tree
    layout: str  # "posts", "album", or "media" for a list of media objects
    root: str  # the export's root folder in the tree: media URIs are relative to it


def find_documents(tree: ExportTree) -> list[Document]:
    found = set()
    for pattern, name, layout in DOCUMENT_PATTERNS:
        for rel in tree.glob(pattern):
            if name.fullmatch(PurePosixPath(rel).name):
                found.add(Document(rel, layout, export_root(rel, pattern.count("/") + 1)))
    return sorted(found)


def export_entries(tree: ExportTree, documents: list[Document]) -> Iterator[Item | ItemError]:
    """Albums and media lists are read first and their photos held; each post's media then takes its
    album copy's facts; the photos that are in no post come last."""
    albums: dict[str, Item] = {}
    for document in documents:
        if document.layout != "posts":
            yield from hold_by_uri(read_document(tree, document), albums)
    for document in documents:
        if document.layout == "posts":
            for entry in read_document(tree, document):
                if isinstance(entry, Item):
                    entry = merge(entry, albums.pop(uri_key(entry.media_name), None))
                yield entry
    yield from albums.values()


def export_root(rel: str, depth: int) -> str:
    """The folder above a document's `posts/` or `photos_and_videos/` (and `your_facebook_activity/`)."""
    parts = PurePosixPath(rel).parts[:-depth]
    return "/".join(parts[:-1] if parts[-1:] == (ACTIVITY_FOLDER,) else parts)


def uri_key(uri: str) -> str:
    return posixpath.normpath(uri.lstrip("/"))


def hold_by_uri(entries: Iterator[Item | ItemError], held: dict[str, Item]) -> Iterator[Item | ItemError]:
    """Errors pass; Items wait in `held` for a post with the same media. The same URI twice in the
    albums is one photo in two albums: the second passes on (the inventory stores it once)."""
    for entry in entries:
        if isinstance(entry, Item) and uri_key(entry.media_name) not in held:
            held[uri_key(entry.media_name)] = entry
        else:
            yield entry


def merge(post: Item, album: Item | None) -> Item:
    """The post's facts first; the album record fills what the post does not say."""
    if album is None:
        return post
    post.posted_at = post.posted_at or album.posted_at
    post.caption = post.caption or album.caption
    post.location_name = post.location_name or album.location_name
    if post.lat is None:
        post.lat, post.lon = album.lat, album.lon
    post.extra = {**album.extra, **post.extra}
    return post


def read_document(tree: ExportTree, document: Document) -> Iterator[Item | ItemError]:
    for entry in document_entries(tree, document):
        if isinstance(entry, Item):
            entry.origin = locate_media(tree, document.root, entry.media_name)
        yield entry


def document_entries(tree: ExportTree, document: Document) -> Iterator[Item | ItemError]:
    try:
        raw = tree.read(document.rel)
    except READ_ERRORS as exc:
        yield ItemError(document.rel, f"could not read the file: {getattr(exc, 'message', exc)}")
        return
    data = yield from parse_json(raw, document.rel)
    if data is None:
        return
    if document.layout == "posts":
        records = record_list(data)
        if records is None:
            yield ItemError(document.rel, "expected a list of posts")
            return
        yield from each_record(records, document.rel, post_items, name="post")
        return
    photos, album = album_photos(data)
    if photos is None:
        yield ItemError(document.rel, "expected an album with a 'photos' list, or a list of media")
        return
    yield from each_record(photos, document.rel, partial(lone_media_item, album=album), name="photo")


def album_photos(data: Any) -> tuple[list | None, str | None]:
    """An album's photos and name; for your_videos.json and the like, their one list of media."""
    if isinstance(data, dict) and isinstance(data.get("photos"), list):
        name = data.get("name")
        return data["photos"], (name.strip() or None) if isinstance(name, str) else None
    return record_list(data), None


# --- records ---------------------------------------------------------------------------------------


def post_items(record: Any, context: RecordContext) -> Iterator[Item]:
    """The media of one post; a status, link or check-in without a photo or video has none."""
    if not isinstance(record, dict):
        context.note("(record)", "is not a JSON object")
        return
    entries = attachment_entries(record, context)
    media_list = [(where, entry["media"]) for where, entry in entries if "media" in entry]
    if not media_list:
        return
    place_name, place_position, place = check_in(entries, context)
    first_uri = media_list[0][1].get("uri") if isinstance(media_list[0][1], dict) else None
    post = {
        "caption": post_text(record, context),
        "posted_at": epoch(record.get("timestamp"), context, "timestamp"),
        # Posts have no id in the export: the first media file's name (Facebook's photo id) stands in.
        "post_id": PurePosixPath(first_uri).stem if isinstance(first_uri, str) and first_uri else None,
    }
    for where, media in media_list:
        if not isinstance(media, dict):
            context.note(f"{where}media", "is not a JSON object")
            continue
        item = media_item(media, context, f"{where}media.", **post)
        if item is None:
            continue
        if place is not None:
            item.location_name = place_name
            item.lat, item.lon = place_position or (item.lat, item.lon)
            item.extra["place"] = place
        yield item


def attachment_entries(record: dict, context: RecordContext) -> list[tuple[str, dict]]:
    """Every `attachments[i].data[j]` object, with where it is."""
    found = []
    attachments = record.get("attachments", [])
    if not isinstance(attachments, list):
        context.note("attachments", "is not a list")
        return found
    for i, attachment in enumerate(attachments):
        data = attachment.get("data") if isinstance(attachment, dict) else None
        if not isinstance(data, list):
            context.note(f"attachments[{i}].data", "is not a list")
            continue
        found.extend((f"attachments[{i}].data[{j}].", entry) for j, entry in enumerate(data) if isinstance(entry, dict))
    return found


def post_text(record: dict, context: RecordContext) -> str | None:
    """The first `data[].post`: what the person wrote. The post's `title` ("Minji Kim added a new
    photo.") is Facebook's, not theirs."""
    data = record.get("data", [])
    for index, entry in enumerate(data if isinstance(data, list) else []):
        if isinstance(entry, dict) and "post" in entry:
            found = text(entry["post"], context, f"data[{index}].post")
            if found:
                return found
    return None


def check_in(
    entries: list[tuple[str, dict]], context: RecordContext
) -> tuple[str | None, tuple[float, float] | None, dict | None]:
    """(name, (lat, lon) or None, the place object) of a post's `place`; Nones without one."""
    for where, entry in entries:
        place = entry.get("place")
        if place is None:
            continue
        if not isinstance(place, dict):
            context.note(f"{where}place", "is not a JSON object")
            continue
        name = text(place.get("name"), context, f"{where}place.name")
        coordinate = place.get("coordinate")
        if coordinate is None:
            return name, None, place
        if not isinstance(coordinate, dict):
            context.note(f"{where}place.coordinate", "is not a JSON object")
            return name, None, place
        field = f"{where}place.coordinate"
        return name, coordinates(coordinate.get("latitude"), coordinate.get("longitude"), context, field), place
    return None, None, None


def lone_media_item(record: Any, context: RecordContext, album: str | None) -> Iterator[Item]:
    """A media object that is its own post: an album photo, an entry of your_videos.json."""
    if not isinstance(record, dict):
        context.note("(record)", "is not a JSON object")
        return
    uri = record.get("uri")
    post_id = PurePosixPath(uri).stem if isinstance(uri, str) and uri else None
    item = media_item(record, context, "", caption=None, posted_at=None, post_id=post_id)
    if item is not None:
        if album:
            item.extra["album"] = album
        yield item


def media_item(
    media: dict,
    context: RecordContext,
    where: str,
    caption: str | None,
    posted_at: datetime | None,
    post_id: str | None,
) -> Item | None:
    """One media file; `caption`, `posted_at` and `post_id` come from its post. None without a file name."""
    uri = media.get("uri")
    if not isinstance(uri, str) or not uri.strip():
        context.note(f"{where}uri", "is missing: no media file is named")
        return None
    metadata = media.get("media_metadata") if isinstance(media.get("media_metadata"), dict) else {}
    facts, lat, lon = read_metadata(metadata, context, where)
    created = epoch(media.get("creation_timestamp"), context, f"{where}creation_timestamp")
    extra = {key: iso(value) if isinstance(value, datetime) else value for key, value in facts.items()}
    if metadata:  # kept whole as evidence: exposure, f_stop, orientation, ids...
        extra["media_metadata"] = metadata
    return Item(
        source_item=context.source_item,
        media_name=uri,
        origin=None,  # set by read_document, which knows the tree
        media_type=media_type(uri, "video_metadata" in metadata, "image"),
        post_id=post_id,
        posted_at=created or posted_at or facts.get("upload_timestamp"),
        caption=caption or media_caption(media, context, where),
        lat=lat,
        lon=lon,
        extra=extra,
    )


def ip_address(value: Any, context: RecordContext, field: str) -> str | None:
    """An IPv4 or IPv6 address as text; None (reported) for anything else, numbers included."""
    if isinstance(value, str):
        try:
            return str(ipaddress.ip_address(value.strip()))
        except ValueError:
            pass
    context.note(field, f"is not an IP address: {value!r}")
    return None


# What media_metadata facts go into `extra`, and how each is read: the first record that has it wins.
# taken_timestamp (when the photo was taken) can be years before creation_timestamp (when it was posted).
FACT_KEYS = {
    "upload_ip": ip_address,
    "taken_timestamp": epoch,
    "upload_timestamp": epoch,  # videos; 0 is "unknown"
    "camera_make": text,
    "camera_model": text,
}


def read_metadata(
    metadata: dict, context: RecordContext, where: str
) -> tuple[dict[str, Any], float | None, float | None]:
    """FACT_KEYS, latitude and longitude, from the later exif_data list or from the flat 2018 object."""
    exif = exif_records(metadata, context, where)
    flat = metadata.get("photo_metadata")
    flat = flat if isinstance(flat, dict) and "exif_data" not in flat else {}
    flat_where = f"{where}media_metadata.photo_metadata."
    facts: dict[str, Any] = {}
    for record_where, record in [*((f"{where}exif_data.", record) for record in exif), (flat_where, flat)]:
        for key, read in FACT_KEYS.items():
            if key in record and key not in facts:
                value = read(record[key], context, f"{record_where}{key}")
                if value is not None:
                    facts[key] = value
    lat, lon = exif_location(exif, context, where)
    if lat is None and ("latitude" in flat or "longitude" in flat):
        pair = coordinates(flat.get("latitude"), flat.get("longitude"), context, f"{flat_where}latitude")
        lat, lon = pair or (None, None)
    return facts, lat, lon


def media_caption(media: dict, context: RecordContext, where: str) -> str | None:
    """A media object's own text: `description` is what was written under the photo; `title` is often
    the album's name ("Mobile Uploads"), so it comes second."""
    return text(media.get("description"), context, f"{where}description") or text(
        media.get("title"), context, f"{where}title"
    )


def iso(stamp: datetime) -> str:
    return stamp.strftime("%Y-%m-%dT%H:%M:%SZ")

