"""The user's own public TikTok profile, read live as TikTok's web app shows it to a stranger (logged out).

- Proof of control first (audit/proof.py): the profile page (https://www.tiktok.com/@handle) carries the
  profile in a `<script id="__UNIVERSAL_DATA_FOR_REHYDRATION__">` JSON document, `__DEFAULT_SCOPE__` ›
  `webapp.user-detail` › userInfo.user: its `signature` (the bio, which only the owner writes) must show the
  account's token, and no address asked for (redirects included) may carry it. Nothing else is requested
  before that. No password, no login, no cookie of the user's is ever asked for or read.
- A private, missing or banned profile (statusCode 10222, 10202, 10221...), or a page without that document
  (TikTok changed its layout, or showed a check for robots), stops the account with a plain message.
- Posts: the web app's own listing, /api/creator/item_list/ by the profile's secUid, newest first, a page at a
  time (the request yt-dlp's TikTokUserIE makes; no signature is needed for it). Each post: its id, time
  (createTime, Unix seconds: UTC), description, link, place (poi), likes and sound, as tiktok-export has them.
- Media: a photo-mode post's images; a video's file from its play address when TikTok serves it to this
  session, else its cover (the frame strangers see in the grid), kept with media_type "video", with a note
  saying plainly that the video itself was not fetched and how to audit it (save it into a folder). The
  profile picture (avatarLarger), with the name and bio shown beside it as its caption.
- Politeness: one PoliteSession (audit/net.py: interval, retries, 429 backoff, size cap) for every request.
  Media go into the cache folder named by post id, so a re-run downloads nothing twice; the inventory's
  stable ids (account, kind, media name, post id) keep a re-run from duplicating anything.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, NamedTuple
from urllib.parse import urlencode, urlsplit

from .. import proof
from ..errors import AuditError, InputError
from ..inventory import imaging
from ..inventory.cache import cache_dir
from ..models import ANYONE, Item, ItemError, Origin
from ..net import FetchError, PoliteSession, addresses
from .base import Source
from .readers.meta_records import profile_text

WWW = "www.tiktok.com"
EXPORT_HINT = ('TikTok: Settings and privacy > Account > Download your data, then platform = "tiktok-export"; '
               "save your videos from the app into its folder to audit them")
HANDLE = re.compile(r"[a-z0-9._]{2,24}")
POST_ID = re.compile(r"\d{5,25}")
UNIVERSAL_DATA = re.compile(
    r'<script[^>]+\bid="__UNIVERSAL_DATA_FOR_REHYDRATION__"[^>]*>(.*?)</script>', re.S)
LIST_API = f"https://{WWW}/api/creator/item_list/"
# Hosts TikTok serves pictures and videos from; only media are read from them, never pages.
MEDIA_DOMAINS = (".tiktokcdn.com", ".tiktokcdn-us.com", ".tiktokcdn-eu.com", ".ibyteimg.com", ".tiktok.com")
MIN_INTERVAL = 3.0  # seconds between two requests to TikTok
# A video of up to 10 minutes is some 150 MiB at the web app's bitrates; net.py's default cap (25 MiB) is for pages
# and pictures. A video over this is noted, and its cover audited instead.
MAX_BYTES = 150 * 1024**2
MAX_PAGES = 200  # of 15 posts: 3,000 posts, more than a person posts
FIRST_POST = 1472706000000  # September 2016, before TikTok existed: a cursor older than this ends the listing
STATUS = {10202: "TikTok shows no account @{handle}: check the handle",
          10221: "TikTok shows @{handle} as banned",
          10222: ("@{handle} is a private account: a stranger sees only its name, bio and picture, and photo-audit "
                  "does not log in to see more. To audit your videos, use the export")}


class Post(NamedTuple):
    post_id: str
    url: str
    fields: dict[str, Any]  # the Item fields every file of the post shares
    images: list[str]  # a photo-mode post's image addresses
    video: str | None  # a video's play address
    cover: str | None


class TikTokLiveSource(Source):
    name = "tiktok"
    app = "tiktok"
    description = "Your own public TikTok profile, live (after proof of control): videos, photo posts, profile picture"
    example = "tiktok_live/example.json"  # recorded answers, replayed offline
    needs = "handle"
    live = True

    def __init__(self, account):
        super().__init__(account)
        self.sleep = time.sleep  # tests replace it, so that nothing waits for real
        self.session: PoliteSession | None = None
        self.cache: Path | None = None

    def items(self) -> Iterator[Item | ItemError]:
        if not HANDLE.fullmatch(self.handle):
            raise InputError(f"{self.account.handle!r} is not a TikTok username")
        self.session = PoliteSession(allowed_hosts={WWW}, min_interval=MIN_INTERVAL, sleep=self.sleep,
                                     max_bytes=MAX_BYTES)
        self.session.session.headers["Referer"] = f"https://{WWW}/"  # as the web app sends it; media need it
        user = self._proven_user()
        self.cache = cache_dir("tiktok", self.handle)
        yield from self._profile_photo(user)
        for record in self._listing(user["secUid"]):
            yield from self._post_items(record)

    # --- proof of control ---------------------------------------------------------------------------------

    @property
    def page(self) -> str:
        return f"https://{WWW}/@{self.handle}"

    def _proven_user(self) -> dict:
        """The profile's user record, once the token is seen in its bio; ProofError before any other request."""
        response = self.session.get(self.page, within=lambda url: urlsplit(url).hostname == WWW)
        if urlsplit(response.url).path.rstrip("/") == "/login":
            raise FetchError(f"TikTok asks for a login to show @{self.handle}; photo-audit never logs in. "
                             f"{EXPORT_HINT}")
        detail = user_detail(response.text, self.page)
        user = (detail.get("userInfo") or {}).get("user")
        status = detail.get("statusCode")
        if not isinstance(user, dict) or not user.get("uniqueId"):
            why = STATUS.get(status, f"TikTok shows no profile @{{handle}} (statusCode {status})")
            raise FetchError(f"{self.page}: {why.format(handle=self.handle)}. {EXPORT_HINT}")
        if str(user["uniqueId"]).lower() != self.handle:
            raise FetchError(f"{self.page}: TikTok answered with the profile of @{user['uniqueId']}, "
                             f"not @{self.handle}")
        self.proof_seen = proof.shown(self.proof_token, [text(user.get("signature")) or ""], addresses(response))
        if not self.proof_seen and not self.proven_before:
            raise proof.refuse(f"the TikTok profile @{self.handle}", self.proof_token, EXPORT_HINT,
                               f"the bio of @{self.handle} (Edit profile > Bio)")
        if user.get("privateAccount") or status == 10222:
            raise FetchError(f"{self.page}: {STATUS[10222].format(handle=self.handle)}: {EXPORT_HINT}")
        if not isinstance(user.get("secUid"), str) or not user["secUid"]:
            raise FetchError(f"{self.page}: the profile's JSON has no secUid, which lists its posts: a layout "
                             f"photo-audit does not know yet. {EXPORT_HINT}")
        return user

    # --- what is collected --------------------------------------------------------------------------------

    def _profile_photo(self, user: dict) -> Iterator[Item | ItemError]:
        """The profile picture, with what a stranger reads beside it (from the page already read)."""
        shown = {"nickname": text(user.get("nickname")), "signature": text(user.get("signature"))}
        shown = {key: value for key, value in shown.items() if value}
        item = Item(source_item=self.page, media_name="profile.jpg", origin=None, kind="profile_photo",
                    url=self.page, audience=ANYONE, caption=profile_text(shown),
                    extra={"profile": shown} if shown else {})
        address = next((user.get(key) for key in ("avatarLarger", "avatarMedium") if user.get(key)), None)
        if not isinstance(address, str):
            yield ItemError(self.page, "the profile names no profile picture: not audited", "skip")
            return
        item.origin = yield from self._download(address, item, "image")
        yield item  # without its file (an error row says why), as a post whose file is missing

    def _listing(self, sec_uid: str) -> Iterator[dict | ItemError]:
        """Every post of the profile, newest first, each once; pages by the time of the last post seen."""
        cursor, seen, device = int(time.time() * 1000), set(), str(random.randrange(10**18, 10**19))
        for _ in range(MAX_PAGES):
            address = f"{LIST_API}?{urlencode(list_query(sec_uid, cursor, device))}"
            page = self._json(address)
            records = page.get("itemList") or []
            if not isinstance(records, list):
                raise FetchError(f"{LIST_API}: 'itemList' is not a list: a layout photo-audit does not know yet")
            for record in records:
                key = record.get("id") if isinstance(record, dict) else None
                if key not in seen or key is None:
                    seen.add(key)
                    yield record
            last = records[-1].get("createTime") if records and isinstance(records[-1], dict) else None
            older = int(last * 1000) if isinstance(last, (int, float)) and not isinstance(last, bool) else None
            if not page.get("hasMorePrevious") or older is None or older >= cursor or older < FIRST_POST:
                return
            cursor = older

    def _json(self, address: str) -> dict:
        """One page of the listing. An empty or non-JSON answer is how TikTok refuses a request it will not
        serve: it stops the account, and what was collected so far is kept."""
        response = self.session.get(address)
        try:
            page = json.loads(response.content or b"null")
        except ValueError:
            page = None
        if not isinstance(page, dict):
            raise FetchError(
                f"TikTok did not list the posts of @{self.handle} (an empty or unreadable answer from "
                f"{LIST_API}): it may ask for signatures photo-audit cannot make. The profile picture is "
                f"collected; the posts are not. {EXPORT_HINT}")
        status = page.get("statusCode", page.get("status_code", 0))
        if status not in (0, None):
            raise FetchError(f"TikTok refused to list the posts of @{self.handle} (statusCode {status}). {EXPORT_HINT}")
        return page

    def _post_items(self, record: Any) -> Iterator[Item | ItemError]:
        try:
            post = read_post(record, self.handle)
        except ValueError as exc:  # this post's JSON lacks what it needs: an error row, the rest goes on
            key = record.get("id") if isinstance(record, dict) and isinstance(record.get("id"), str) else "?"
            yield ItemError(f"{self.page} post {key}", f"could not read the post: {exc}")
            return
        if post.images:
            yield from self._photo_post(post)
        else:
            yield from self._video_post(post)

    def _photo_post(self, post: Post) -> Iterator[Item | ItemError]:
        for index, address in enumerate(post.images, start=1):
            item = Item(media_name=f"{post.post_id}_{index}.jpg", origin=None, media_type="image", **post.fields)
            item.origin = yield from self._download(address, item, "image")
            yield item

    def _video_post(self, post: Post) -> Iterator[Item | ItemError]:
        """The video file when TikTok serves it; else its cover, said plainly to be only the cover."""
        video = Item(media_name=f"{post.post_id}.mp4", origin=None, media_type="video", **post.fields)
        why = "TikTok gives no address for it" if not post.video else None
        if post.video:
            try:
                video.origin = self._fetch(post.video, video.media_name, "video")
            except AuditError as exc:
                why = exc.message
        if video.origin:
            yield video
            return
        fields = dict(post.fields, extra=dict(post.fields["extra"], video_cover=True))
        cover = Item(media_name=f"{post.post_id}.jpg", origin=None, media_type="video", **fields)
        if post.cover:
            cover.origin = yield from self._download(post.cover, cover, "image")
        kept = "its cover picture is audited instead, not the video" if cover.origin else "nothing of it is audited"
        yield ItemError(post.url, (
            f"the video could not be downloaded ({why}): {kept}. To audit the whole video, save it from the TikTok "
            f"app into a folder named by its id ({post.post_id}.mp4) and add that folder as the export's folder "
            f'(platform = "tiktok-export") or as platform = "folder"'), "note" if cover.origin else "collect")
        yield cover

    def _download(self, address: str, item: Item, kind: str) -> Iterator[ItemError]:
        """The cached file of a picture, fetched once; None (and an error row) when it cannot be had."""
        try:
            return self._fetch(address, item.media_name, kind)
        except AuditError as exc:
            yield ItemError(item.source_item, f"could not download {item.media_name}: {exc.message}")
            return None

    def _fetch(self, address: str, name: str, kind: str) -> Origin:
        """A media file in the cache, by the post's id (its address is signed afresh on every visit)."""
        path = self.cache / name
        if path.exists():
            return Origin(str(path))
        host = urlsplit(address).hostname or ""
        if urlsplit(address).scheme != "https" or host == WWW or not host.endswith(MEDIA_DOMAINS):
            raise FetchError(f"{address}: refused, not one of TikTok's media hosts")
        self.session.allowed_hosts.add(host)
        data = self.session.get(address).content
        check_media(data, kind)
        partial = path.with_name(f".{name}.part")  # written whole, then renamed: no half file after a crash
        partial.write_bytes(data)
        os.replace(partial, path)
        return Origin(str(path))


def user_detail(page: str, address: str) -> dict:
    """`webapp.user-detail` of the profile page; FetchError naming what is missing when the layout changed."""
    found = UNIVERSAL_DATA.search(page)
    if not found:
        check = "a check for robots" if "captcha" in page.lower() or "Please wait" in page else "a page"
        raise FetchError(f"{address}: TikTok answered with {check} without the __UNIVERSAL_DATA_FOR_REHYDRATION__ "
                         f"script that holds the profile: a layout photo-audit does not know yet. {EXPORT_HINT}")
    try:
        scope = json.loads(found[1])["__DEFAULT_SCOPE__"]
        detail = scope["webapp.user-detail"]
    except (ValueError, KeyError, TypeError) as exc:
        raise FetchError(f"{address}: the profile's __UNIVERSAL_DATA_FOR_REHYDRATION__ JSON has no "
                         f"__DEFAULT_SCOPE__ › webapp.user-detail ({type(exc).__name__}: {exc}): a layout "
                         f"photo-audit does not know yet. {EXPORT_HINT}") from exc
    if not isinstance(detail, dict):
        raise FetchError(f"{address}: webapp.user-detail is not a JSON object. {EXPORT_HINT}")
    return detail


def list_query(sec_uid: str, cursor: int, device: str) -> dict[str, str]:
    """The listing's parameters, as the web app (and yt-dlp) sends them: newest first (type 1), before `cursor`."""
    return {"aid": "1988", "app_name": "tiktok_web", "channel": "tiktok_web", "device_platform": "web_pc",
            "device_id": device, "region": "US", "language": "en", "count": "15", "cursor": str(cursor),
            "secUid": sec_uid, "type": "1", "from_page": "user", "cookie_enabled": "true"}


def read_post(record: Any, handle: str) -> Post:
    """One post of the listing; ValueError naming what is missing or malformed."""
    if not isinstance(record, dict):
        raise ValueError("it is not a JSON object")
    post_id, created = record.get("id"), record.get("createTime")
    if not isinstance(post_id, str) or not POST_ID.fullmatch(post_id):
        raise ValueError(f"its 'id' is missing or not a post id: {str(post_id)[:40]!r}")
    if not isinstance(created, (int, float)) or isinstance(created, bool) or not 0 < created < 2**33:
        raise ValueError(f"its 'createTime' is missing or not a time: {str(created)[:40]!r}")
    video = record.get("video") if isinstance(record.get("video"), dict) else {}
    images = [url for image in ((record.get("imagePost") or {}).get("images") or [])
              if isinstance(image, dict) for url in first_url(image.get("imageURL"))]
    cover, play = first_text(video, "originCover", "cover"), first_text(video, "playAddr", "downloadAddr")
    if not images and not cover and not play:
        raise ValueError("it has neither images (imagePost) nor a video with a cover or play address")
    url = f"https://{WWW}/@{handle}/{'photo' if images else 'video'}/{post_id}"
    poi, stats, music = (record[key] if isinstance(record.get(key), dict) else {} for key in ("poi", "stats", "music"))
    extra = {"handle": handle, "likes": stats.get("diggCount"), "sound": text(music.get("title"))}
    fields = dict(source_item=url, kind="post", post_id=post_id, url=url,
                  posted_at=datetime.fromtimestamp(created, timezone.utc), caption=text(record.get("desc")),
                  location_name=text(poi.get("name")), audience=ANYONE,
                  extra={key: value for key, value in extra.items() if isinstance(value, (str, int))})
    return Post(post_id, url, fields, images, play, cover)


def first_text(record: dict, *keys: str) -> str | None:
    """The first of these fields that is non-empty text (a web address)."""
    return next((record[key] for key in keys if isinstance(record.get(key), str) and record[key]), None)


def first_url(image_url: Any) -> list[str]:
    urls = image_url.get("urlList") if isinstance(image_url, dict) else None
    return [urls[0]] if isinstance(urls, list) and urls and isinstance(urls[0], str) else []


def text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def check_media(data: bytes, kind: str) -> None:
    """What came back is the kind of file asked for, not an error page (TikTok answers a refused video with HTML)."""
    if kind == "video":
        if data[4:8] != b"ftyp":
            raise InputError("TikTok did not send a video file (it may need a signature or cookie this session "
                             "does not have)")
        return
    imaging.probe(data)
