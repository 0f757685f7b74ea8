"""A folder written by the instaloader command line (`instaloader <profile>`), read without the network.

instaloader names a post's files after its time, `<YYYY-MM-DD_HH-MM-SS>_UTC` (the default --filename-pattern,
with a `<target>_` prefix when the folder pattern has no target); the files of one post share that stem:
  <stem>.jpg / .webp / .heic / .png / .mp4   the media (a video: its thumbnail .jpg and the .mp4)
  <stem>_1.jpg, <stem>_2.mp4...              the items of a sidecar (carousel) post
  <stem>.txt                                 the caption (UTF-8)
  <stem>.json.xz, or .json                   metadata {"node": {GraphQL node}, "instaloader": {"node_type": ...}}
  <stem>_location.txt                        with --geotags: the place name, then a maps link with lat,lng
  <stem>_profile_pic.jpg                     the profile picture (kind profile_photo)
`<user>_<id>.json.xz` is the profile: its username is kept as `handle` in the extra of every item, and what a
stranger reads beside the profile picture (full_name, biography, external_url) becomes the caption of the newest
`_profile_pic` (the one shown now), with the fields in `extra["profile"]`.
`id`, `<stem>_comments.json` and `<stem>_old_NN.txt` (replaced captions) are not read. `iterator_*.json.xz`
(resume state) and `*.temp` (partial downloads) are noted as skipped: the download was interrupted.

Who sees it: the profile's `is_private` says whether its posts are for followers or for anyone. A story is seen
for a day (node_type StoryItem); after that only the user sees it, unless it is in a highlight, which instaloader
writes into a folder of its own below the profile's (`<profile>/<highlight title>/`, with its `_cover.jpg`), and
which stays on the profile for the profile's audience.

The metadata wins over the files beside it: the time is `taken_at_timestamp` (else the file name, which is
UTC), the caption the node's (else the .txt), the place the node's `location` (its coordinates, else those of
_location.txt). A metadata file that cannot be read is an error naming it, and the post is still inventoried
from its other files.
"""

from __future__ import annotations

import lzma
import posixpath
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Generator, Iterator
from urllib.parse import parse_qs, urlsplit

from ..errors import InputError
from ..inventory.archive import READ_ERRORS, ExportTree, FolderTree
from ..inventory.media import PHOTO_SUFFIXES
from ..models import ANYONE, FOLLOWERS, ONLY_YOU, Item, ItemError
from .base import Source
from .readers.meta_records import RecordContext, coordinates, epoch, expired, parse_json, profile_text, text

DATED = re.compile(r"(?P<stem>(?:.+_)?(?P<date>\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2})_UTC)(?P<rest>.*)")
MEDIA = re.compile(r"(?:_(?P<index>\d+))?(?P<suffix>\.\w+)")
PROFILE_PIC = re.compile(r"_profile_pic\.\w+")
HIGHLIGHT_COVER = re.compile(r"_cover\.\w+")
NOT_READ = re.compile(r"_comments\.json|_old_\d+\.txt")
RESUME_STATE = re.compile(r"(?:.+_)?iterator_[\w=-]+\.json(?:\.xz)?")
METADATA_SUFFIXES = (".json", ".json.xz")
# The files beside a post's media, by what follows the date stem: the PostFiles field each fills.
POST_FILES = {".txt": "caption", ".json": "metadata", ".json.xz": "metadata", "_location.txt": "location"}
MEDIA_SUFFIXES = PHOTO_SUFFIXES | {".mp4"}
KINDS = {"Post": "post", "StoryItem": "story"}
SHORTCODE = re.compile(r"[A-Za-z0-9_-]+")
# What the profile shows beside its picture, in the order shown: the picture's caption.
PROFILE_CAPTION_FIELDS = ("full_name", "biography", "external_url")
# Post metadata is kilobytes; this stops an .xz file that would expand without end.
MAX_METADATA_BYTES = 32 * 1024**2

Reading = Generator[ItemError, None, Any]  # yields problems, returns what it read


@dataclass
class PostFiles:
    folder: str
    stem: str
    date: str  # from the file name: YYYY-MM-DD_HH-MM-SS, UTC
    media: list[tuple[int, str]] = field(default_factory=list)  # (sidecar index, 0 for a single item; rel)
    caption: str | None = None
    metadata: str | None = None
    location: str | None = None


class Layout:
    """The files of an instaloader folder, sorted by what they are; notes for the files passed over."""

    def __init__(self, files: list[str]):
        self.posts: dict[tuple[str, str], PostFiles] = {}
        self.profile_pics: list[tuple[str, str]] = []  # (rel, date)
        self.profiles: list[str] = []
        self.notes: list[ItemError] = []
        for rel in sorted(files):
            self.add(rel)

    @property
    def found(self) -> bool:
        """Any post or profile picture named the way instaloader names them."""
        return bool(self.posts or self.profile_pics)

    def add(self, rel: str) -> None:
        folder, name = posixpath.split(rel)
        dated = DATED.fullmatch(name)
        if name.endswith(".temp"):
            self.skip(rel, "a partial download (.temp): run instaloader again to complete it")
        elif RESUME_STATE.fullmatch(name):
            self.skip(rel, "instaloader's resume state: the download was interrupted, run it again to finish it")
        elif dated:
            self.add_dated(rel, folder, dated)
        elif name.endswith(METADATA_SUFFIXES):
            self.profiles.append(rel)
        elif name != "id" and not name.endswith("_id"):  # the profile's id, `<profile>_id` in a shared folder
            self.skip(rel, "not a file instaloader writes")

    def add_dated(self, rel: str, folder: str, dated: re.Match) -> None:
        rest, media = dated["rest"], MEDIA.fullmatch(dated["rest"])
        is_media = bool(media) and media["suffix"].lower() in MEDIA_SUFFIXES
        if PROFILE_PIC.fullmatch(rest):
            self.profile_pics.append((rel, dated["date"]))
        elif HIGHLIGHT_COVER.fullmatch(rest):
            self.skip(rel, "a highlight's cover picture, usually cut from one of its stories")
        elif is_media or rest in POST_FILES:
            post = self.posts.setdefault((folder, dated["stem"]), PostFiles(folder, dated["stem"], dated["date"]))
            if is_media:
                post.media.append((int(media["index"] or 0), rel))
            else:
                setattr(post, POST_FILES[rest], rel)
        elif not NOT_READ.fullmatch(rest):
            self.skip(rel, "not a file instaloader writes")

    def skip(self, rel: str, why: str) -> None:
        self.notes.append(ItemError(rel, f"skipped: {why}", stage="skip"))


@dataclass
class ProfileFacts:
    rel: str  # the profile's metadata file
    handle: str | None
    fields: dict[str, str]  # PROFILE_CAPTION_FIELDS that have text
    audience: str | None  # who sees its posts: FOLLOWERS (private) or ANYONE; None when it does not say


@dataclass
class PostFacts:
    """What a post's metadata says; all empty when it has none."""

    shortcode: str | None = None
    caption: str | None = None
    posted_at: datetime | None = None
    location_name: str | None = None
    lat: float | None = None
    lon: float | None = None
    tagged_users: list[str] = field(default_factory=list)
    accessibility_caption: str | None = None
    typename: str | None = None
    owner: str | None = None


class InstaloaderFolderSource(Source):
    name = "instaloader-folder"
    app = "instagram"
    description = "A folder written by the instaloader command line (photos, captions, .json.xz metadata, geotags)"
    example = "formats/instaloader_profile_4.16_handmade/minji.kim"
    needs = "path"

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        return isinstance(tree, FolderTree) and Layout(tree.files()).found

    def items(self) -> Iterator[Item | ItemError]:
        root = self.account.path
        if not root.is_dir():
            raise InputError(f"{root}: not a folder (expected the folder instaloader wrote, named after the profile)")
        tree = FolderTree(root)
        layout = Layout(tree.files())
        if not layout.found:
            raise InputError(f"{root}: no files named the way instaloader names them (<YYYY-MM-DD_HH-MM-SS>_UTC.jpg)")
        yield from layout.notes
        profiles: dict[str, ProfileFacts] = {}
        for rel in layout.profiles:
            profile = yield from read_profile(tree, rel)
            if profile:
                profiles[posixpath.dirname(rel)] = profile
        yield from profile_photos(tree, layout.profile_pics, profiles)
        now = datetime.now(timezone.utc)
        homes = set(profiles) | {posixpath.dirname(rel) for rel, _ in layout.profile_pics}  # profiles' folders
        for key in sorted(layout.posts):
            post = layout.posts[key]
            # A highlight's folder is below its profile's, whose facts it shares.
            highlight = post.folder not in homes and posixpath.dirname(post.folder) in homes
            profile = profiles.get(posixpath.dirname(post.folder) if highlight else post.folder)
            for entry in post_items(tree, post, profile.handle if profile else None):
                if isinstance(entry, Item):
                    entry.audience = audience(entry, profile, highlight, now)
                yield entry


def audience(item: Item, profile: ProfileFacts | None, highlight: bool, now: datetime) -> str | None:
    if item.kind == "story" and not highlight and expired(item.posted_at, now):
        return ONLY_YOU
    return profile.audience if profile else None


def read_profile(tree: FolderTree, rel: str) -> Reading:
    """The username, and what is shown beside the picture, of a profile's metadata (`<user>_<id>.json.xz`)."""
    doc = yield from read_metadata(tree, rel)
    if doc is None:
        return None
    if doc["instaloader"].get("node_type") != "Profile":
        yield ItemError(rel, "skipped: instaloader metadata, but of neither a profile nor a post", stage="skip")
        return None
    context = RecordContext(rel, "")
    handle = text(doc["node"].get("username"), context, "username")
    fields = {key: text(doc["node"].get(key), context, key) for key in PROFILE_CAPTION_FIELDS}
    private = doc["node"].get("is_private")
    if private is not None and not isinstance(private, bool):
        context.note("is_private", f"is not true or false: {private!r}")
    seen_by = (FOLLOWERS if private else ANYONE) if isinstance(private, bool) else None
    for problem in context.problems:
        yield ItemError(rel, problem)
    return ProfileFacts(rel, handle, drop_empty(fields), seen_by)


def profile_photos(
    tree: FolderTree, pics: list[tuple[str, str]], profiles: dict[str, ProfileFacts]
) -> Iterator[Item | ItemError]:
    """Every profile picture; the newest of each folder carries the profile's name, bio and link."""
    newest = {posixpath.dirname(rel): rel for rel, _ in pics}  # sorted by name, so by time
    for rel, date in pics:
        profile = profiles.get(posixpath.dirname(rel))
        shown = profile.fields if profile and newest[posixpath.dirname(rel)] == rel else {}
        extra = drop_empty({"handle": profile.handle if profile else None, "profile": shown})
        yield Item(
            rel, rel, tree.origin(rel), kind="profile_photo", posted_at=file_time(date), caption=profile_text(shown),
            extra=extra,
        )
    for folder, profile in profiles.items():
        if profile.fields and folder not in newest:
            yield ItemError(
                profile.rel,
                "skipped: the profile's name, bio and link are not inventoried: no profile picture was downloaded "
                "to show them beside (was instaloader run with --no-profile-pic?)",
                stage="skip",
            )


def post_items(tree: FolderTree, post: PostFiles, handle: str | None) -> Iterator[Item | ItemError]:
    """The problems, then an Item per media file of the post."""
    doc = (yield from read_metadata(tree, post.metadata)) if post.metadata else None
    node = doc["node"] if doc else {}
    context = RecordContext(post.metadata or post.stem, "")
    facts = node_facts(node, context)
    yield from fill_from_files(tree, post, facts)
    node_type = doc["instaloader"].get("node_type") if doc else None
    kind = KINDS.get(node_type, "post") if isinstance(node_type, str) else "post"  # a list or an object: not a kind
    shared = {
        "kind": kind,
        "post_id": facts.shortcode or post.stem,
        "url": f"https://www.instagram.com/p/{facts.shortcode}/" if facts.shortcode and kind == "post" else None,
        "posted_at": facts.posted_at or file_time(post.date),
        "caption": facts.caption,
        "location_name": facts.location_name,
        "lat": facts.lat,
        "lon": facts.lon,
    }
    children = dig(node, "edge_sidecar_to_children", "edges")
    # A post whose media were not downloaded (--no-pictures) is still inventoried, its file missing.
    items = [
        media_item(tree, rel, post, shared, facts, child_facts(children, index, context), handle)
        for index, rel in sorted(post.media) or [(0, None)]
    ]
    for problem in context.problems:
        yield ItemError(post.metadata, problem)
    yield from items


def fill_from_files(tree: FolderTree, post: PostFiles, facts: PostFacts) -> Reading:
    """The caption from the .txt and the place from _location.txt, where the metadata has none."""
    if facts.caption is None and post.caption:
        facts.caption = (yield from read_text(tree, post.caption)).strip() or None
    if facts.lat is None and post.location:
        name, facts.lat, facts.lon = yield from location_file(tree, post.location)
        facts.location_name = facts.location_name or name


def child_facts(children: Any, index: int, context: RecordContext) -> PostFacts:
    """The node of item `_<index>` of a sidecar post (instaloader counts from 1; 0 is a single item)."""
    child = dig(children, index - 1, "node") if index else None
    return node_facts(child, context, f"edge_sidecar_to_children.edges[{index - 1}].node.") if child else PostFacts()


def media_item(
    tree: FolderTree, rel: str | None, files: PostFiles, shared: dict, post: PostFacts, child: PostFacts,
    handle: str | None,
) -> Item:
    """One file of a post; a sidecar item's own node adds its tagged users and accessibility caption."""
    name = rel or posixpath.join(files.folder, files.stem)
    extra = {
        "handle": handle or post.owner,
        "typename": child.typename or post.typename,
        "accessibility_caption": child.accessibility_caption or post.accessibility_caption,
    }
    return Item(
        source_item=name,
        media_name=name,
        origin=tree.origin(rel) if rel else None,
        media_type="video" if name.lower().endswith(".mp4") else "image",
        tagged_users=post.tagged_users + [user for user in child.tagged_users if user not in post.tagged_users],
        extra=drop_empty(extra),
        **shared,
    )


def node_facts(node: Any, context: RecordContext, where: str = "") -> PostFacts:
    """The facts of a post's GraphQL node (or of one of its sidecar children, `where` naming it)."""
    if not isinstance(node, dict):
        context.note(where or "node", "is not a JSON object")
        return PostFacts()
    caption = dig(node, "edge_media_to_caption", "edges", 0, "node", "text")
    facts = PostFacts(
        shortcode=shortcode(node.get("shortcode"), context, f"{where}shortcode"),
        caption=text(caption, context, f"{where}edge_media_to_caption.edges[0].node.text"),
        # instaloader reads `date` first when a node has it (Post._get_timestamp_date_created)
        posted_at=epoch(node.get("date", node.get("taken_at_timestamp")), context, f"{where}taken_at_timestamp"),
        tagged_users=tagged_users(node),
        accessibility_caption=text(node.get("accessibility_caption"), context, f"{where}accessibility_caption"),
        typename=text(node.get("__typename"), context, f"{where}__typename"),
        owner=text(dig(node, "owner", "username"), context, f"{where}owner.username"),
    )
    place = node.get("location")
    if isinstance(place, dict):
        facts.location_name = text(place.get("name"), context, f"{where}location.name")
        if place.get("lat") is not None or place.get("lng") is not None:
            pair = coordinates(place.get("lat"), place.get("lng"), context, f"{where}location.lat")
            facts.lat, facts.lon = pair or (None, None)
    elif place is not None:
        context.note(f"{where}location", "is not an object")
    return facts


def shortcode(value: Any, context: RecordContext, field_name: str) -> str | None:
    code = text(value, context, field_name)
    if code is not None and not SHORTCODE.fullmatch(code):
        context.note(field_name, f"is not a shortcode: {code!r}")
        return None
    return code


def tagged_users(node: dict) -> list[str]:
    edges = dig(node, "edge_media_to_tagged_user", "edges")
    names = [dig(edge, "node", "user", "username") for edge in edges] if isinstance(edges, list) else []
    return [name for name in names if isinstance(name, str) and name]


def dig(value: Any, *path: str | int) -> Any:
    """value[path[0]][path[1]]..., or None where a step is missing or of the wrong type."""
    for step in path:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and 0 <= step < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    return value


def read_bytes(tree: FolderTree, rel: str) -> Reading:
    try:
        return tree.read(rel)
    except READ_ERRORS as exc:
        yield ItemError(rel, f"could not read the file: {getattr(exc, 'message', exc)}")
        return None


def read_metadata(tree: FolderTree, rel: str) -> Reading:
    """instaloader's `{"node": {...}, "instaloader": {...}}`, from .json or LZMA-compressed .json.xz."""
    raw = yield from read_bytes(tree, rel)
    if raw is not None and rel.endswith(".xz"):
        raw = yield from unxz(raw, rel)
    # instaloader writes real UTF-8 (non-ASCII as \uXXXX escapes); the Meta mojibake repair leaves it unchanged.
    doc = (yield from parse_json(raw, rel)) if raw is not None else None
    if doc is None:
        return None
    if not (isinstance(doc, dict) and isinstance(doc.get("node"), dict) and isinstance(doc.get("instaloader"), dict)):
        yield ItemError(rel, 'not instaloader metadata: expected {"node": {...}, "instaloader": {...}}')
        return None
    return doc


def unxz(raw: bytes, rel: str) -> Reading:
    decompressor = lzma.LZMADecompressor(format=lzma.FORMAT_XZ)
    try:
        data = decompressor.decompress(raw, max_length=MAX_METADATA_BYTES)
    except lzma.LZMAError as exc:
        yield ItemError(rel, f"not a readable .xz file: {exc}")
        return None
    if not decompressor.eof:
        too_big = f"it expands beyond {MAX_METADATA_BYTES // 1024**2} MiB"
        yield ItemError(rel, f"not a readable .xz file: {'it is cut short' if decompressor.needs_input else too_big}")
        return None
    return data


def read_text(tree: FolderTree, rel: str) -> Reading:
    raw = yield from read_bytes(tree, rel)
    try:
        return (raw or b"").decode("utf-8")
    except UnicodeDecodeError as exc:
        yield ItemError(rel, f"not valid UTF-8 at byte {exc.start}; read with it replaced")
        return raw.decode("utf-8", errors="replace")


def location_file(tree: FolderTree, rel: str) -> Reading:
    """`_location.txt`: the place name, then `https://maps.google.com/maps?q=<lat>,<lng>&ll=...` when known."""
    lines = [line.strip() for line in (yield from read_text(tree, rel)).splitlines() if line.strip()]
    context = RecordContext(rel, "")
    try:
        query = parse_qs(urlsplit(lines[1]).query).get("q", [""])[0] if len(lines) > 1 else ""
    except ValueError:  # a link urllib cannot read (an unclosed "["): no position
        query = ""
    lat, _, lon = query.partition(",")
    pair = coordinates(lat, lon, context, "q") if query else None
    for problem in context.problems:
        yield ItemError(rel, f"the maps link's {problem}")
    return (lines[0] if lines else None), *(pair or (None, None))


def file_time(date: str) -> datetime | None:
    """The time in instaloader's file names: UTC."""
    try:
        return datetime.strptime(date, "%Y-%m-%d_%H-%M-%S").replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def drop_empty(values: dict) -> dict:
    return {key: value for key, value in values.items() if value}
