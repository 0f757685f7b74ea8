"""X (Twitter) archives: the photos and videos of the account's tweets, and its profile picture.

What is read (docs/formats.md), found by file name in `data/` or at the archive root, also inside a top folder:
  data/tweets.js, tweets-part1.js...   window.YTD.tweets.part0 = [{"tweet": {...}}, ...]   (2020 on)
  tweet.js, tweet-part1.js...          window.YTD.tweet.part0 = [{...}, ...]: bare tweets   (2019)
  tweets_media/, tweet_media/          beside those: <tweet id_str>-<basename of the media URL>
  account.js, manifest.js              the handle: account.username, and window.__THAR_CONFIG userInfo.userName
  profile.js, profile_media/           the profile picture, with the bio and the profile's location
  protected-history.js                 [{"protectedHistory": {"protectedAt", "action": "Protect" or "Unprotect"}}]
Archive images carry no EXIF: positions survive only in the tweets (`coordinates` [lon, lat], `geo` [lat, lon]).
Who sees the tweets: the last action of protected-history.js, "Protect" (followers only) or "Unprotect"
(anyone). X's own README says the file covers the six months before the archive was made, so an empty or
missing file says nothing, and the account's default applies.

A retweet brings its own byte-identical copy of the media. Retweets are read after every other tweet,
and media already inventoried (same media id or file name) is passed over with a note, so it counts once.
A retweet whose original is not in the archive keeps its media, as kind "retweet": the photo still shows on the
account's timeline, whoever posted it first.
"""

from __future__ import annotations

import html
import posixpath
import re
from datetime import datetime
from functools import partial
from typing import Any, Iterator, NamedTuple
from urllib.parse import urlsplit

from ..inventory.archive import ExportTree, nothing_found, open_tree, refused_members
from ..models import Item, ItemError
from .base import Source
from .readers.meta_records import RecordContext, coordinates, each_record, has_utc, number, text
from .readers.x_files import (
    Layout,
    archive_root,
    find_layout,
    from_root,
    handle_at,
    lookup,
    protected_audience,
    read_js,
    tweet_stem,
)

# Media folders beside a tweet file, the usual one for its name first (where a missing file is expected).
MEDIA_FOLDERS = {"tweets": ("tweets_media", "tweet_media"), "tweet": ("tweet_media", "tweets_media")}
CREATED_AT = "%a %b %d %H:%M:%S %z %Y"  # "Sat Aug 16 20:47:42 +0000 2014"
TWEET_ID = re.compile(r"[0-9]{1,30}")
# Tuples, not sets: `in` then compares, and a `type` that is a list or an object is simply none of them.
VIDEO_TYPES = ("video", "animated_gif")
# GeoJSON `coordinates` is [lon, lat]; the older `geo` is [lat, lon]. True: longitude first.
GEO_FIELDS = (("coordinates", True), ("geo", False))
DEFAULT_AVATAR = "default_profile_images"  # X's placeholder, not the user's picture


class XArchiveSource(Source):
    name = "x-archive"
    app = "x"
    exported = True
    description = "X (Twitter) archive (zip or folder): tweet photos and videos with their geotags, and the profile picture"
    example = "formats/x_twitter_archive_2026_milahu104"
    needs = "path"

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        return find_layout(tree).found

    def items(self) -> Iterator[Item | ItemError]:
        tree = open_tree(self.account.path)
        layout = find_layout(tree)
        if not layout.found:
            raise nothing_found(
                tree,
                f"{self.account.path}: no X archive files found "
                "(expected data/tweets.js, tweet.js, data/account.js or data/manifest.js)",
            )
        yield from refused_members(tree)
        handle = yield from self.archive_handle(tree, layout)
        if layout.profile:
            yield from profile_items(tree, layout.profile, handle)
        if not layout.tweets:
            yield ItemError(str(self.account.path), "no tweets.js or tweet.js in the archive: no tweets", stage="skip")
        audience = (yield from protected_audience(tree, layout.protected)) if layout.protected else None
        reader = TweetReader(tree, handle, audience)
        for rel in layout.tweets:
            yield from reader.read_file(rel)
        yield from reader.held_retweets()

    def archive_handle(self, tree: ExportTree, layout: "Layout") -> Iterator[ItemError]:
        """The handle for status URLs: account.js first, then manifest.js, then accounts.toml; a mismatch is noted."""
        named = []
        for rel, path in ((layout.account, (0, "account", "username")), (layout.manifest, ("userInfo", "userName"))):
            data = (yield from read_js(tree, rel)) if rel else None
            named.append((rel, (yield from handle_at(data, path, rel))))
        named.append(("accounts.toml", (yield from handle_at(self.account.handle, (), "accounts.toml"))))
        named = [(where, handle) for where, handle in named if handle]
        if not named:
            return None
        first, handle = named[0]
        for where, other in named[1:]:
            if other.lower() != handle.lower():
                yield ItemError(where, f"handle mismatch: {first} names @{handle}, {where} names @{other}; using @{handle}")
        return handle


def url_name(url: str) -> str:
    """The file name in a media URL, without its query: ".../vid/1280x720/Lp9d.mp4?tag=10" -> "Lp9d.mp4"."""
    try:
        return posixpath.basename(urlsplit(url).path)
    except ValueError:
        return ""


def status_url(handle: str | None, tweet_id: str) -> str:
    return f"https://x.com/{handle}/status/{tweet_id}" if handle else f"https://x.com/i/status/{tweet_id}"


# --- tweets ---------------------------------------------------------------------------------------


class Tweet(NamedTuple):
    """One tweet with media, as its media files need it."""

    id: str
    rel: str  # the tweet file
    context: RecordContext
    post: dict  # the Item fields every media file of the tweet shares
    extra: dict


class TweetReader:
    """Turns tweet records into Items, counting each media once across all the tweet files."""

    def __init__(self, tree: ExportTree, handle: str | None, audience: str | None):
        self.tree = tree
        self.handle = handle
        self.audience = audience  # protection covers every tweet of the account
        self.inventoried: dict[str, str] = {}  # media id or file name -> the tweet whose Item has it
        self.retweets: list[tuple[dict, RecordContext, str]] = []  # read after every other tweet

    def read_file(self, rel: str) -> Iterator[Item | ItemError]:
        data = yield from read_js(self.tree, rel)
        if data is None:
            return
        if not isinstance(data, list):
            yield ItemError(rel, "expected a list of tweets after 'window.YTD.tweets.part0 ='")
            return
        yield from each_record(data, rel, partial(self.record_items, rel=rel))

    def record_items(self, record: Any, context: RecordContext, rel: str) -> Iterator[Item | ItemError]:
        tweet = record.get("tweet", record) if isinstance(record, dict) else None  # 2019: no {"tweet": ...}
        if not isinstance(tweet, dict):
            context.note("tweet", "is not a JSON object")
            return
        if retweeted_user(tweet) is not None:
            self.retweets.append((tweet, context, rel))
            return
        yield from self.tweet_items(tweet, context, rel, "post")

    def held_retweets(self) -> Iterator[Item | ItemError]:
        for tweet, context, rel in self.retweets:
            entries = list(self.tweet_items(tweet, context, rel, "retweet"))
            yield from context.errors()
            yield from entries

    def tweet_items(self, tweet: dict, context: RecordContext, rel: str, kind: str) -> Iterator[Item | ItemError]:
        tweet_id = tweet.get("id_str")
        if not isinstance(tweet_id, str) or not TWEET_ID.fullmatch(tweet_id):
            context.note("id_str", f"is missing or not a tweet id ({tweet_id!r}): its media files cannot be named")
            return
        media = media_entries(tweet, context)
        if not media:
            return
        extra = {"handle": self.handle}
        if kind == "retweet":
            extra.update(retweet_of=retweet_source(tweet, media), retweeted_user=retweeted_user(tweet))
        post = {"kind": kind, "audience": self.audience, **post_fields(tweet, tweet_id, context, self.handle, media)}
        for where, entry in media:
            yield from self.media_item(entry, where, Tweet(tweet_id, rel, context, post, extra))

    def media_item(self, media: Any, where: str, tweet: Tweet) -> Iterator[Item | ItemError]:
        if not isinstance(media, dict):
            tweet.context.note(where, "is not a JSON object")
            return
        url = media.get("media_url_https") or media.get("media_url")
        if not isinstance(url, str) or not url_name(url):
            tweet.context.note(f"{where}.media_url_https", "is missing: no media file is named")
            return
        keys = [f"url:{url_name(url)}"] + ([f"id:{media['id_str']}"] if isinstance(media.get("id_str"), str) else [])
        first = next((self.inventoried[key] for key in keys if key in self.inventoried), None)
        if first is not None:
            message = f"{where}: a copy of the media of tweet {first}, already inventoried: counted once"
            yield ItemError(tweet.context.source_item, message, stage="skip")
            return
        self.inventoried.update(dict.fromkeys(keys, tweet.id))
        media_type = media.get("type")
        if media_type not in (*VIDEO_TYPES, "photo", None):
            tweet.context.note(f"{where}.type", f"is not photo, video or animated_gif: {media_type!r}; read as a photo")
        video = media_type in VIDEO_TYPES
        found, media_name = self.find_media(tweet, (video and video_names(media)) or [url_name(url)])
        extra = {**tweet.extra, "media_id": media.get("id_str"), "media_url": url}
        yield Item(
            source_item=tweet.context.source_item,
            media_name=media_name,
            origin=self.tree.origin(found) if found else None,
            media_type="video" if video else "image",
            **tweet.post,
            extra={key: value for key, value in extra.items() if value},
        )

    def find_media(self, tweet: Tweet, names: list[str]) -> tuple[str | None, str]:
        """The media file beside the tweet file, in tweets_media/ or tweet_media/ (None when it is not there),
        and its name from the archive root (where the first name is expected when it is not there)."""
        folder = posixpath.dirname(tweet.rel)
        candidates = [
            posixpath.join(folder, media_folder, f"{tweet.id}-{name}")
            for name in names
            for media_folder in MEDIA_FOLDERS[tweet_stem(tweet.rel)]
        ]
        found = next((candidate for candidate in candidates if self.tree.exists(candidate)), None)
        return found, from_root(found or candidates[0], archive_root(tweet.rel))


def media_entries(tweet: dict, context: RecordContext) -> list[tuple[str, Any]]:
    """`extended_entities.media` (every photo), else `entities.media` (early tweets: the first only)."""
    for holder in ("extended_entities", "entities"):
        media = lookup(tweet, (holder, "media"))
        if media is not None and not isinstance(media, list):
            context.note(f"{holder}.media", "is not a list")
        elif media:
            return [(f"{holder}.media[{index}]", entry) for index, entry in enumerate(media)]
    return []


def video_names(media: dict) -> list[str]:
    """The mp4 variants' file names, highest bitrate first (bitrates are strings): archives keep one of them."""
    variants = lookup(media, ("video_info", "variants"))
    mp4 = [v for v in variants or [] if isinstance(v, dict) and url_name(str(v.get("url"))).endswith(".mp4")]
    mp4.sort(key=lambda variant: number(variant.get("bitrate")) or 0, reverse=True)
    return [url_name(variant["url"]) for variant in mp4]


def post_fields(tweet: dict, tweet_id: str, context: RecordContext, handle: str | None, media: list) -> dict:
    """The Item fields every media file of a tweet shares."""
    lat, lon = tweet_location(tweet, context)
    return {
        "post_id": tweet_id,
        "url": status_url(handle, tweet_id),
        "posted_at": tweet_time(tweet.get("created_at"), context),
        "caption": tweet_caption(tweet, context, media),
        "location_name": place_name(tweet, context),
        "lat": lat,
        "lon": lon,
        "tagged_users": mentions(tweet, context, handle),
    }


def tweet_time(value: Any, context: RecordContext) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.strptime(value, CREATED_AT)
    except (TypeError, ValueError):
        context.note("created_at", f"is not a date like 'Sat Aug 16 20:47:42 +0000 2014': {value!r}")
        return None
    if not has_utc(stamp):
        context.note("created_at", f"is out of range: {value!r}")
        return None
    return stamp


def text_field(tweet: dict) -> str:
    return "text" if tweet.get("full_text") is None else "full_text"  # text: tweets read before 2016


def tweet_caption(tweet: dict, context: RecordContext, media: list) -> str | None:
    """The text as written: HTML entities undone (X writes & as &amp;), the t.co links to the media itself
    dropped from the end; other links are kept."""
    field = text_field(tweet)
    caption = text(tweet.get(field), context, field)
    if caption is None:
        return None
    caption = html.unescape(caption)
    links = {entry.get("url") for _, entry in media if isinstance(entry, dict) and isinstance(entry.get("url"), str)}
    if links:
        caption = re.sub(r"(?:\s*(?:" + "|".join(map(re.escape, links)) + r"))+\s*\Z", "", caption)
    return caption.strip() or None


def retweeted_user(tweet: dict) -> str | None:
    """Who was retweeted ("" when unknown); None when the tweet is not a retweet."""
    written = tweet.get(text_field(tweet))
    match = re.match(r"RT @(\w+)", written) if isinstance(written, str) else None
    if match:
        return match[1]
    original = tweet.get("retweeted_status")
    return str(lookup(original, ("user", "screen_name")) or "") if isinstance(original, dict) else None


def retweet_source(tweet: dict, media: list) -> str | None:
    original = lookup(tweet, ("retweeted_status", "id_str"))
    sources = [entry.get("source_status_id_str") for _, entry in media if isinstance(entry, dict)]
    return next((value for value in [original, *sources] if isinstance(value, str)), None)


def tweet_location(tweet: dict, context: RecordContext) -> tuple[float | None, float | None]:
    """From `coordinates` ([lon, lat]), else `geo` ([lat, lon]); (0, 0) is no location."""
    for field, lon_first in GEO_FIELDS:
        value = tweet.get(field)
        if value is None:
            continue
        pair = lookup(value, ("coordinates",))
        if not isinstance(pair, list) or len(pair) != 2:
            context.note(f"{field}.coordinates", f"is not a pair of numbers: {pair!r}")
            continue
        lat, lon = reversed(pair) if lon_first else pair
        position = coordinates(lat, lon, context, f"{field}.coordinates")
        if position:
            return position
    return None, None


def place_name(tweet: dict, context: RecordContext) -> str | None:
    place = tweet.get("place")
    if place is None:
        return None
    if not isinstance(place, dict):
        context.note("place", "is not a JSON object")
        return None
    field = "full_name" if place.get("full_name") else "name"
    return text(place.get(field), context, f"place.{field}")


def mentions(tweet: dict, context: RecordContext, handle: str | None) -> list[str]:
    """Handles mentioned in the tweet, the account's own left out."""
    found = lookup(tweet, ("entities", "user_mentions"))
    if found is None:
        return []
    if not isinstance(found, list):
        context.note("entities.user_mentions", "is not a list")
        return []
    names = [entry.get("screen_name") for entry in found if isinstance(entry, dict)]
    own = (handle or "").lower()
    return list(dict.fromkeys(name for name in names if isinstance(name, str) and name and name.lower() != own))


# --- profile --------------------------------------------------------------------------------------


def profile_items(tree: ExportTree, rel: str, handle: str | None) -> Iterator[Item | ItemError]:
    """The profile picture, with what a stranger reads beside it: the bio and the profile's location."""
    data = yield from read_js(tree, rel)
    profile = lookup(data, (0, "profile"))
    if not isinstance(profile, dict):
        if data is not None:
            yield ItemError(rel, "field 'profile' is missing")
        return
    url = profile.get("avatarMediaUrl")
    name = url_name(url) if isinstance(url, str) else ""
    if not name or DEFAULT_AVATAR in url:
        return
    folder = posixpath.join(posixpath.dirname(rel), "profile_media")
    # Files are named <accountId>-<basename of the URL>.
    found = next((f for f in tree.glob(f"{folder}/*") if f.endswith((f"/{name}", f"-{name}"))), None)
    context = RecordContext(rel, "profile")
    item = Item(
        source_item=context.source_item,
        media_name=from_root(found or posixpath.join(folder, name), archive_root(rel)),
        origin=tree.origin(found) if found else None,
        kind="profile_photo",
        url=f"https://x.com/{handle}" if handle else None,
        caption=text(lookup(profile, ("description", "bio")), context, "description.bio"),
        location_name=text(lookup(profile, ("description", "location")), context, "description.location"),
        extra={"handle": handle, "media_url": url} if handle else {"media_url": url},
    )
    yield from context.errors()
    yield item
