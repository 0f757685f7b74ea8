"""TikTok "Download your data" exports (JSON or TXT): the account's posts, and what the export cannot show of them.

Read as real exports write them (tests/fixtures/formats/tiktok_*), found by file name, also inside a top folder:
  user_data_tiktok.json (older: user_data.json): Post › Posts › VideoList (2025) or Video › Videos › VideoList
    (before), each post {"Date", "Link", "Likes", "WhoCanView", "Sound", "Location", "Title"...}; deleted posts
    (only the user sees them); Profile › Profile Info or Profile Information › ProfileMap (userName, bioDescription,
    profilePhoto: a link); App Settings › Settings › SettingsMap › "Private Account": "Enabled" or "Disabled".
  the TXT variant, a file per section, a record per block of "Key: value" lines: Videos/Videos.txt (2019-2020: Date,
    Video Link, Like(s)), Post/Posts.txt (later: Date, Link...), Profile Information.txt, Settings.txt.
Dates ("2024-09-17 14:07:21", no zone) are UTC: in the 2025 sample a video's cover link ends in the Unix time of its
upload, 2 to 4 seconds after its Date (the fixture's PROVENANCE.md).
The Link of one's own post, in every real export seen, is a signed link to TikTok's storage that expires within days
(a photo-mode post: an image link per line), not the post's page: no post id. A share link (tiktokv.com/share/video/
<id>/, tiktok.com/@name/video/<id>), as the other lists hold, gives the id and the address.
The export holds no video, photo or profile picture, and nothing here downloads: a post is inventoried as missing
unless the user saved its file into the same folder or zip, its name holding the post's id or its Date
(2024-09-17_14-07-21.mp4, 2024-09-17-14-07-21.mp4, as tools that save them write it). Each gap is said in a note.
"""

from __future__ import annotations

import json
import posixpath
import re
from datetime import datetime, timezone
from typing import Any, Iterator, NamedTuple

from ..inventory.archive import READ_ERRORS, ExportTree, nothing_found, open_tree, refused_members
from ..models import ANYONE, FOLLOWERS, ONLY_YOU, Item, ItemError
from ..text.fix import repaired
from .base import Source
from .readers.meta_records import JSON_ERRORS, RecordContext, json_problem

DOCUMENTS = ("user_data_tiktok.json", "user_data.json")  # the first is preferred where both are
TXT_POSTS = ("Videos.txt", "Posts.txt", "Post.txt")  # in Videos/ (2019-2020), Post/; only with Date and Link lines
TXT_PROFILE = ("Profile Information.txt", "Profile Info.txt")
POST_LISTS = (  # where each layout keeps its lists, and what their records are
    (("Post", "Posts", "VideoList"), "post"),
    (("Video", "Videos", "VideoList"), "post"),
    (("Post", "Recently Deleted Posts", "PostList"), "deleted_post"),
    (("Video", "RecentlyDeletedPosts", "PostList"), "deleted_post"),
)
PROFILES = (("Profile", "Profile Info", "ProfileMap"), ("Profile", "Profile Information", "ProfileMap"),
            ("Profile And Settings", "Profile Info", "ProfileMap"))  # the last named by tools that read 2025 exports
SETTINGS = (("App Settings", "Settings", "SettingsMap"), ("Profile And Settings", "Settings", "SettingsMap"))
# user_data.json is a common name: it is TikTok's when it holds one of TikTok's list or map names.
TIKTOK_MARKER = re.compile(rb'"(?:VideoList|ProfileMap|SettingsMap|FavoriteVideoList|ItemFavoriteList|FansList)"\s*:')
# A record's fields, JSON and TXT names alike, by what they are.
FIELDS = {"Date": "date", "Link": "link", "Video Link": "link", "VideoLink": "link", "Likes": "likes",
          "Like(s)": "likes", "WhoCanView": "who", "Who Can View": "who", "Title": "title", "Location": "location",
          "Sound": "sound"}
EMPTY = ("", "N/A", "None", "-")  # how the export writes "nothing" (a Sound with neither title nor author: " - ")
DATE = "%Y-%m-%d %H:%M:%S"
SHARE_LINK = re.compile(r"https?://(?:[\w-]+\.)*tiktokv?\.(?:com|us)/(?:share/video/|@[^/?#\s]+/(?:video|photo)/|v/)"
                        r"(\d{5,25})")
HANDLE = re.compile(r"@?([A-Za-z0-9._]{1,64})")
WHO = {"everyone": ANYONE, "public": ANYONE, "friends": FOLLOWERS, "followers": FOLLOWERS, "only you": ONLY_YOU,
       "only me": ONLY_YOU, "private": ONLY_YOU}
SWITCH = {"enabled": True, "on": True, "yes": True, "true": True, "disabled": False, "off": False, "no": False,
          "false": False}
MAX_TEXT = 10_000  # longer than any caption TikTok allows (4,000): what is beyond is cut, with a note
MEDIA = {".mp4": "video", ".mov": "video", ".m4v": "video", ".webm": "video", ".jpg": "image", ".jpeg": "image",
         ".png": "image", ".webp": "image", ".heic": "image"}
IMAGE_LINK = re.compile(r"photomode|\.(?:jpe?g|png|webp|heic)(?:[?~]|$)", re.I)
POST_ID = re.compile(r"(?<!\d)\d{15,25}(?!\d)")  # TikTok ids have 19 digits
STAMP = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})[ _T-]?(\d{2})[-_.]?(\d{2})[-_.]?(\d{2})(?!\d)")
TXT_KEY = re.compile(r"([A-Za-z][A-Za-z ()']{0,40}):(?: (.*))?$")


class TikTokExportSource(Source):
    name = "tiktok-export"
    app = "tiktok"
    exported = True
    description = "TikTok 'Download your data' export (zip or folder, JSON or TXT): posts, and videos saved beside it"
    example = "formats/tiktok_json_2025_post_posts_beyzaacesur"
    needs = "path"

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        return find_layout(tree).found

    def items(self) -> Iterator[Item | ItemError]:
        tree = open_tree(self.account.path)
        layout = find_layout(tree)
        if not layout.found:
            raise nothing_found(tree, f"{self.account.path}: no TikTok export files found (expected "
                                      "user_data_tiktok.json, user_data.json, Videos/Videos.txt or Post/Posts.txt)")
        yield from refused_members(tree)
        reader = Reader(tree, self.account.handle)
        for rel in layout.documents:
            yield from reader.json_document(rel)
        if layout.txt_posts:
            yield from reader.txt_account(layout.txt_posts[0])
        for rel in layout.txt_posts:
            yield from reader.txt_posts(rel)
        yield from reader.closing_notes()


class Layout(NamedTuple):
    documents: list[str]  # user_data_tiktok.json or user_data.json, one per folder
    txt_posts: list[str]
    found: bool


def find_layout(tree: ExportTree) -> Layout:
    documents = {}
    for name in reversed(DOCUMENTS):  # the preferred name last, so that it wins in its folder
        for rel in tree.glob(name):
            if name == DOCUMENTS[0] or TIKTOK_MARKER.search(head(tree, rel)):
                documents[posixpath.dirname(rel)] = rel
    posts = sorted({rel for pattern in TXT_POSTS for rel in tree.glob(pattern) if looks_like_posts(head(tree, rel))})
    return Layout(sorted(documents.values()), posts, bool(documents or posts))


def head(tree: ExportTree, rel: str) -> bytes:
    try:
        return tree.read(rel)[:1 << 16]
    except READ_ERRORS:
        return b""


def looks_like_posts(text: bytes) -> bool:
    """A TXT list of posts: Date lines with Link lines, or the placeholder of an empty section."""
    lines = [line.strip() for line in text.decode("utf-8-sig", "replace").splitlines() if line.strip()]
    dated = any(line.startswith("Date:") for line in lines)
    linked = any(line.startswith(("Link:", "Video Link:")) for line in lines)
    return (dated and linked) or lines == ["You have no data in this section"]


def at(data: Any, path: tuple, rel: str, errors: list[ItemError]) -> Any:
    """data[path[0]][path[1]]...; None when a step is missing, noted when a step is not an object."""
    for depth, key in enumerate(path):
        if data is None:
            return None
        if not isinstance(data, dict):
            errors.append(ItemError(rel, f"field '{' › '.join(path[:depth])}' is not a JSON object"))
            return None
        data = data.get(key)
    return data


def plain(value: Any, context: RecordContext, field: str) -> str | None:
    """A field's text: None when absent or written as nothing; cut (and noted) beyond MAX_TEXT."""
    if value is None or isinstance(value, str) and value.strip() in EMPTY:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        context.note(field, f"is not text: {str(value)[:80]!r}")
        return None
    if len(value) > MAX_TEXT:
        context.note(field, f"is {len(value):,} characters long: only the first {MAX_TEXT:,} are kept")
    return value[:MAX_TEXT].strip() or None


def posted_time(value: str | None, context: RecordContext, field: str) -> datetime | None:
    if value is None:
        return None
    try:  # UTC: see the module's docstring
        return datetime.strptime(value.removesuffix(" UTC"), DATE).replace(tzinfo=timezone.utc)
    except ValueError:
        context.note(field, f"is not a date like '2024-09-17 14:07:21': {value[:80]!r}")
        return None


class Post(NamedTuple):
    context: RecordContext
    kind: str
    fields: dict[str, tuple[str, Any]]  # what (date, link...) -> (the field's name in the export, its value)
    root: str  # the export's folder in the tree: media names are said from it


class Reader:
    """Reads one export: the account's settings first, then its posts, matched to the media files beside them."""

    def __init__(self, tree: ExportTree, handle: str | None):
        self.tree = tree
        self.configured = handle
        self.handle = handle
        self.private: bool | None = None
        self.missing: list[Item] = []  # posts inventoried without their file
        self.media: dict[str, list[str]] = {}  # "id:<post id>" or "at:<YYYYMMDDHHMMSS>" -> media files so named
        self.unused: set[str] = set()
        for rel in tree.files():
            if MEDIA.get(posixpath.splitext(rel)[1].lower()):
                name = posixpath.basename(rel)
                keys = {f"id:{run}" for run in POST_ID.findall(name)}
                keys |= {"at:" + "".join(match.groups()) for match in STAMP.finditer(name)}
                for key in keys:
                    self.media.setdefault(key, []).append(rel)
                self.unused.add(rel)
        self.first_document: str | None = None

    # --- JSON -----------------------------------------------------------------------------------------------

    def json_document(self, rel: str) -> Iterator[Item | ItemError]:
        self.first_document = self.first_document or rel
        data = yield from load_json(self.tree, rel)
        if data is None:
            return
        if not isinstance(data, dict):
            yield ItemError(rel, "expected a JSON object of sections (Post, Profile...)")
            return
        errors: list[ItemError] = []
        profile = next((found for path in PROFILES if (found := at(data, path, rel, errors)) is not None), None)
        settings = next((found for path in SETTINGS if (found := at(data, path, rel, errors)) is not None), None)
        yield from self.account_facts(rel, profile, settings)
        lists = [(path, kind, at(data, path, rel, errors)) for path, kind in POST_LISTS]
        sections = [at(data, path[:2], rel, errors) for path, kind in POST_LISTS if kind == "post"]
        for message in dict.fromkeys(error.message for error in errors):  # each problem once
            yield ItemError(rel, message)
        if all(section is None for section in sections):  # a layout not known yet must not read as "no posts"
            yield ItemError(rel, "no list of posts found in it (Post › Posts › VideoList, Video › Videos › "
                                 "VideoList): a layout photo-audit does not know yet")
        elif not any(records for _, kind, records in lists if kind == "post"):
            yield ItemError(rel, "skipped: the export lists no post", stage="skip")
        root = posixpath.dirname(rel)
        for path, kind, records in lists:
            if records is not None and not isinstance(records, list):
                yield ItemError(rel, f"field '{' › '.join(path)}' is not a list")
            for index, record in enumerate(records if isinstance(records, list) else []):
                context = RecordContext(rel, f"{'deleted post' if kind == 'deleted_post' else 'post'} {index}")
                if not isinstance(record, dict):
                    context.note("(record)", "is not a JSON object")
                    yield from context.errors()
                    continue
                fields = {FIELDS[key]: (key, value) for key, value in record.items() if key in FIELDS}
                yield from self.post_items(Post(context, kind, fields, root))

    def account_facts(self, rel: str, profile: Any, settings: Any) -> Iterator[ItemError]:
        """The handle and whether the account is private; the profile picture it only links to."""
        context = RecordContext(rel, "ProfileMap")
        if isinstance(profile, dict):
            self.take_handle(plain(profile.get("userName"), context, "userName"), context)
            photo = plain(profile.get("profilePhoto"), context, "profilePhoto")
            bio = plain(profile.get("bioDescription"), context, "bioDescription")
            if photo:
                beside = ", and the bio shown beside it," if bio else ""
                yield ItemError(context.source_item, "TikTok's export holds only a link to your profile "
                                "picture, not the picture, and photo-audit never downloads anything: your profile "
                                f"picture{beside} is not audited", stage="note")
        elif profile is not None:
            context.note("ProfileMap", "is not a JSON object")
        if isinstance(settings, dict) and "Private Account" in settings:
            self.take_private(settings["Private Account"], context, "Private Account")
        yield from context.errors()

    def take_handle(self, value: str | None, context: RecordContext) -> None:
        match = HANDLE.fullmatch(value) if value else None
        if value and not match:
            context.note("userName", f"is not a TikTok username: {value[:80]!r}")
        elif match:
            if self.configured and self.configured.lstrip("@").lower() != match[1].lower():
                context.note("userName", f"names @{match[1]}, accounts.toml names @{self.configured}; "
                                         f"using @{match[1]}")
            self.handle = match[1]

    def take_private(self, value: Any, context: RecordContext, field: str) -> None:
        switch = SWITCH.get(value.strip().lower()) if isinstance(value, str) else None
        if switch is None:
            context.note(field, f"is neither Enabled nor Disabled: {str(value)[:80]!r}")
        else:
            self.private = switch

    # --- TXT ------------------------------------------------------------------------------------------------

    def txt_account(self, posts_rel: str) -> Iterator[ItemError]:
        """The username (Profile Information.txt) and the private switch (Settings.txt) of a TXT export: their
        key names are not seen in a real sample yet, only in tools that read the TXT export."""
        root = posixpath.dirname(posixpath.dirname(posts_rel))
        for names, field in ((TXT_PROFILE, "Username"), (("Settings.txt",), "Private Account")):
            rel = next((f for name in names for f in self.tree.glob(name) if f.startswith(root)), None)
            if rel is None:
                continue
            text = yield from load_text(self.tree, rel)
            context = RecordContext(rel, "record")
            value = next((fields[field] for _, fields in txt_records(text or "") if field in fields), None)
            if value is not None and field == "Username":
                self.take_handle(plain(value, context, field), context)
            elif value is not None:
                self.take_private(value, context, field)
            yield from context.errors()

    def txt_posts(self, rel: str) -> Iterator[Item | ItemError]:
        self.first_document = self.first_document or rel
        text = yield from load_text(self.tree, rel)
        for index, (line, record) in enumerate(txt_records(text or "")):
            context = RecordContext(rel, f"post {index} (line {line})")
            fields = {FIELDS[key]: (key, value) for key, value in record.items() if key in FIELDS}
            yield from self.post_items(Post(context, "post", fields, posixpath.dirname(posixpath.dirname(rel))))

    # --- posts ----------------------------------------------------------------------------------------------

    def post_items(self, post: Post) -> Iterator[Item | ItemError]:
        context = post.context
        values = {what: plain(value, context, key) for what, (key, value) in post.fields.items()}
        if not values.get("date") and not values.get("link"):
            context.note("Date", "and 'Link' are missing: the post cannot be told apart from the others")
            yield from context.errors()
            return
        named = {what: key for what, (key, _) in post.fields.items()}  # each field as the export names it
        posted_at = posted_time(values.get("date"), context, named.get("date", "Date"))
        post_id, url, media_type, photos = link_facts(values.get("link"))
        keys = ([f"id:{post_id}"] if post_id else []) + ([f"at:{posted_at:%Y%m%d%H%M%S}"] if posted_at else [])
        files = sorted({rel for key in keys for rel in self.media.get(key, [])})
        self.unused -= set(files)
        extra = {"handle": self.handle, "likes": self.likes(values.get("likes"), context, named.get("likes")),
                 "sound": values.get("sound"), "who_can_view": values.get("who"), "photos": photos or None}
        shared = dict(
            source_item=context.source_item, kind=post.kind, post_id=post_id, url=url, posted_at=posted_at,
            caption=values.get("title"), location_name=values.get("location"),
            audience=self.audience(post.kind, values.get("who"), context, named.get("who")),
            extra={key: value for key, value in extra.items() if value is not None},
        )
        items = [Item(media_name=rel[len(post.root) + 1:] if rel.startswith(f"{post.root}/") else rel,
                      origin=self.tree.origin(rel),
                      media_type=MEDIA[posixpath.splitext(rel)[1].lower()], **shared) for rel in files]
        if not items:
            stem = post_id or (f"{posted_at:%Y-%m-%d_%H-%M-%S}" if posted_at else context.source_item)
            items = [Item(media_name=f"{stem}.{'jpg' if media_type == 'image' else 'mp4'}", origin=None,
                          media_type=media_type, **shared)]
            self.missing.append(items[0])
        yield from context.errors()
        yield from items

    def likes(self, value: str | None, context: RecordContext, field: str | None) -> int | None:
        digits = (value or "").replace(",", "")
        if digits.isascii() and digits.isdigit() and len(digits) < 16:
            return int(digits)
        if value:
            context.note(field or "Likes", f"is not a count: {value[:80]!r}")
        return None

    def audience(self, kind: str, who: str | None, context: RecordContext, field: str | None) -> str | None:
        """Who sees the post: only the user for a deleted one; else WhoCanView, narrowed by a private account."""
        if kind == "deleted_post":
            return ONLY_YOU
        seen = WHO.get(who.strip().lower()) if who else None
        if who and seen is None:
            context.note(field or "WhoCanView", f"is not Everyone, Friends, Followers or Only You: {who[:80]!r}")
        if seen in (FOLLOWERS, ONLY_YOU):
            return seen
        return FOLLOWERS if self.private else seen

    def closing_notes(self) -> Iterator[ItemError]:
        for rel in sorted(self.unused):
            yield ItemError(rel, "skipped: its name holds neither the id nor the date and time of any post of the "
                                 "export, so it is not known which post it is: not audited", stage="skip")
        if self.missing:
            example = next((item.media_name for item in self.missing if item.posted_at and item.media_type == "video"),
                           self.missing[0].media_name)
            count = f"{len(self.missing)} posts are" if len(self.missing) > 1 else "1 post is"
            yield ItemError(self.first_document or "", (
                f"TikTok's export lists your posts but holds no video or photo of them, only links to "
                f"TikTok's servers that expire within days, which photo-audit never opens: {count} inventoried "
                f"without their picture and cannot be checked. To audit the videos, save them from the app into the "
                f"export's folder, named by their id (the number in the post's link) or by the date and time the "
                f"export gives the post, as in {example} (a .zip export: unzip it first)"), stage="note")


def link_facts(link: str | None) -> tuple[str | None, str | None, str, int]:
    """The post's id and address when the link is a share link; whether it is a video or photo-mode images, and how
    many images (one link per line)."""
    lines = [line.strip() for line in (link or "").splitlines() if line.strip()]
    share = SHARE_LINK.match(lines[0]) if lines else None
    images = sum(bool(IMAGE_LINK.search(line)) for line in lines)
    photo_mode = bool(lines) and images == len(lines)
    return (share[1] if share else None, lines[0] if share else None, "image" if photo_mode else "video",
            images if photo_mode and images > 1 else 0)


def load_bytes(tree: ExportTree, rel: str) -> Iterator[ItemError]:
    try:
        return tree.read(rel)
    except READ_ERRORS as exc:
        yield ItemError(rel, f"could not read the file: {getattr(exc, 'message', exc)}")


def load_json(tree: ExportTree, rel: str) -> Iterator[ItemError]:
    """Yields an ItemError and returns None when the file is not JSON; returns the document."""
    raw = yield from load_bytes(tree, rel)
    if raw is None:
        return None
    try:
        return repaired(json.loads(raw.decode("utf-8-sig")), mojibake=False)  # real UTF-8: only lone surrogates
    except UnicodeDecodeError as exc:
        yield ItemError(rel, f"not valid UTF-8 at byte {exc.start}")
    except JSON_ERRORS as exc:
        yield ItemError(rel, json_problem(exc))
    return None


def load_text(tree: ExportTree, rel: str) -> Iterator[ItemError]:
    raw = yield from load_bytes(tree, rel)
    if raw is None:
        return None
    try:
        return repaired(raw.decode("utf-8-sig"), mojibake=False)
    except UnicodeDecodeError as exc:  # one bad byte must not lose every post of the file
        yield ItemError(rel, f"not valid UTF-8 at byte {exc.start}: read with each bad byte as \ufffd")
        return repaired(raw.decode("utf-8-sig", "replace"), mojibake=False)


def txt_records(text: str) -> list[tuple[int, dict[str, str]]]:
    """The records of a TXT section, with the line each starts on: blocks of "Key: value" lines, a new record at a
    blank line or at a key the record already has; a line that is no "Key: value" continues the previous value (a
    caption of several lines, photo-mode links); the placeholder of an empty section is no record."""
    records: list[tuple[int, dict[str, str]]] = []
    current: dict[str, str] | None = None
    last = None
    for number, line in enumerate(text.splitlines(), 1):
        match = TXT_KEY.match(line.strip())
        if not line.strip():
            current = last = None
        elif match and (current is None or match[1] in current):
            current, last = {match[1]: match[2] or ""}, match[1]
            records.append((number, current))
        elif match:
            current[match[1]], last = match[2] or "", match[1]
        elif current is not None and last is not None:
            current[last] += "\n" + line.strip()
    return records
