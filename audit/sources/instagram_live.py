"""The user's own public Instagram profile, fetched live through the instaloader library.

Proof of control comes before any request for posts: either an instaloader session file (made by
`instaloader -l USER` or `--load-cookies`, named by the account's `path`) whose login is the audited
handle, or the one-time token in the profile's bio. The password is never asked for nor stored.
Loading a session file unpickles it, so only the file that the user's own config names is read.

Politeness: instaloader's own rate controller (which waits out a 429), plus one minimum interval,
PoliteSession's, between any two requests, API or media. Media bytes go through PoliteSession into a
cache folder, so a re-run downloads nothing again; post listings use instaloader's resumable
iterators, whose state is saved in that folder when a run is interrupted, so the next run goes on
where it stopped.

Decisions: one Item per image (a sidecar gives one per slide); a video is kept as its cover image,
the frame strangers see in the grid, with media_type "video" (the video file is not downloaded);
locations come only with a login, as instaloader gives them. The profile picture's caption is what a
stranger reads beside it: the name, bio and link of the profile loaded for the proof (no further request).
"""

from __future__ import annotations

import os
import re
import time
import warnings
from datetime import timezone
from pathlib import Path, PurePosixPath
from typing import Generator, Iterator
from urllib.parse import urlsplit

import instaloader
import requests
from instaloader import (
    AbortDownloadException,
    BadResponseException,
    InstaloaderException,
    LoginRequiredException,
    PostChangedException,
    Profile,
    ProfileNotExistsException,
    QueryReturnedNotFoundException,
    RateController,
    TooManyRequestsException,
    load_structure_from_file,
    resumable_iteration,
    save_structure_to_file,
)

from .. import proof
from ..errors import AuditWarning, InputError, ProofError
from ..inventory.cache import cache_dir, url_file_name
from ..models import ANYONE, FOLLOWERS, Item, ItemError, Origin
from ..net import FetchError, PoliteSession
from .base import Source
from .readers.meta_records import profile_text

EXPORT_HINT = 'Instagram: Settings > Your activity > Download your information, then platform = "instagram-export"'
HANDLE = re.compile(r"[a-z0-9._]{1,30}")
SHORTCODE = re.compile(r"[A-Za-z0-9_-]{5,40}")
MEDIA_HOSTS = (".cdninstagram.com", ".fbcdn.net")
MEDIA_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".heic"}
MIN_INTERVAL = 3.0  # seconds between two requests to Instagram, on top of instaloader's own limits
# An answer shaped otherwise than instaloader expects.
UNEXPECTED = (KeyError, TypeError, ValueError)
# One post that cannot be read is an error row, and the listing goes on.
POST_ERRORS = (BadResponseException, PostChangedException, QueryReturnedNotFoundException, *UNEXPECTED)
# Instagram refusing to go on stops the account; what was collected so far is kept.
STOPS = (InstaloaderException, AbortDownloadException, requests.RequestException)
REFUSALS = (
    (AbortDownloadException, "it asks for a security check (checkpoint) or a new login: open Instagram in a "
                             "browser, confirm that it is you, and wait a day before running again"),
    (ProfileNotExistsException, "it shows no profile @{handle}: check the handle"),
    (LoginRequiredException, "it asks for a login: make a session with `instaloader -l {handle}` and set the "
                             "account's path to the session file that it saves"),
    (TooManyRequestsException, "too many requests (429): wait an hour or more, then run again"),
)
REFUSED = "it refused the request: wait an hour or more, then run again"


class PoliteRateController(RateController):
    """instaloader's rate controller, keeping PoliteSession's interval and using its sleep."""

    def __init__(self, context, polite: PoliteSession):
        super().__init__(context)
        self.polite = polite

    def sleep(self, secs: float) -> None:
        self.polite.sleep(secs)

    def wait_before_query(self, query_type: str) -> None:
        self.polite.keep_interval()  # one clock for API requests and media downloads
        super().wait_before_query(query_type)


class InstagramLiveSource(Source):
    name = "instagram"
    app = "instagram"
    description = "Your own public Instagram profile, live through instaloader (after proof of control)"
    example = "examples/instagram.json"  # recorded answers, replayed offline
    needs = "handle"
    live = True

    def __init__(self, account):
        super().__init__(account)
        self.min_interval = MIN_INTERVAL
        self.sleep = time.sleep  # tests replace it, so that nothing waits for real
        self.polite: PoliteSession | None = None  # made with the loader, when the interval and sleep are known
        self.cache: Path | None = None
        self.logged_in = False
        self.profile_audience: str | None = None  # who sees its posts: set from the profile, before any post

    def items(self) -> Iterator[Item | ItemError]:
        if not HANDLE.fullmatch(self.handle):
            raise InputError(f"{self.account.handle!r} is not an Instagram handle")
        loader = self._loader()
        try:
            profile = self._proven_profile(loader)
            self.cache = cache_dir("instagram", self.handle)
            yield from self._profile_photo(profile)
            yield from self._posts(loader, profile.get_posts(), "post")
            yield from self._posts(loader, profile.get_tagged_posts(), "tagged")
        except STOPS as exc:
            raise self._stopped(exc) from exc
        except UNEXPECTED as exc:
            raise FetchError(
                f"Instagram answered in a way that instaloader {instaloader.__version__} does not understand "
                f"({exc!r}), so the collection of @{self.handle} stopped; what was collected so far is kept. "
                f"A newer instaloader may help. Or use the official export instead: {EXPORT_HINT}"
            ) from exc
        finally:
            loader.close()

    def _loader(self) -> instaloader.Instaloader:
        self.polite = PoliteSession(allowed_hosts=set(), min_interval=self.min_interval, sleep=self.sleep)
        return instaloader.Instaloader(
            sleep=False,  # its random pauses: the rate controller keeps an interval instead
            quiet=True,
            max_connection_attempts=3,
            request_timeout=30.0,
            rate_controller=lambda context: PoliteRateController(context, self.polite),
            iphone_support=False,  # fewer requests: the web answers hold every field read here
            # Only its context and structures are used, never its own downloading; this makes sure.
            download_pictures=False,
            download_videos=False,
            download_video_thumbnails=False,
            save_metadata=False,
        )

    def _stopped(self, exc: BaseException) -> FetchError:
        causes = list(_causes(exc))
        why = next((text for kind, text in REFUSALS if any(isinstance(c, kind) for c in causes)), REFUSED)
        return FetchError(
            f"Instagram stopped the collection of @{self.handle}: {why.format(handle=self.handle)} "
            f"({str(exc)[:300]}). What was collected so far is kept, and the next run goes on from there. "
            f"Or use the official export instead: {EXPORT_HINT}"
        )

    # --- proof of control ---------------------------------------------------------------------

    def _proven_profile(self, loader: instaloader.Instaloader) -> Profile:
        """The profile, once control is proven; ProofError before any request for posts otherwise."""
        self.logged_in = self._login(loader)
        profile = Profile.from_username(loader.context, self.handle)
        if self.logged_in or (self.proof_token and self.proof_token in profile.biography):
            self.proof_seen = True
        elif not self.proven_before:
            raise proof.refuse(f"the bio of @{self.handle}", self.proof_token, EXPORT_HINT)
        self.profile_audience = FOLLOWERS if profile.is_private else ANYONE
        return profile

    def _login(self, loader: instaloader.Instaloader) -> bool:
        """Load the account's session file, if it names one, and check whose login it is."""
        path = self.account.path
        if path is None:
            return False
        self._warn_if_others_can_read(path)
        try:
            loader.load_session_from_file(self.handle, str(path))
        except Exception as exc:  # a damaged pickle can raise almost anything
            raise InputError(
                f"{path}: cannot load this instaloader session file ({type(exc).__name__}: {exc}); make it with "
                f"`instaloader -l {self.handle}` or `instaloader --load-cookies BROWSER -l {self.handle}`"
            ) from exc
        user = (loader.test_login() or "").lower()
        if user != self.handle:
            who = f"is logged in as @{user}" if user else "is not logged in any more (or Instagram would not say)"
            raise ProofError(
                f"the session in {path} {who}, so it does not prove that @{self.handle} is yours. Renew it with "
                f"`instaloader -l {self.handle}`, or remove the path to prove it with a token in the bio. "
                f"Or use the official export: {EXPORT_HINT}"
            )
        return True

    def _warn_if_others_can_read(self, path: Path) -> None:
        """A session file is a login: whoever can read it is logged in as the user. Said, not refused: it is the
        user's own file, and its permissions are the user's to change."""
        try:
            mode = path.stat().st_mode
        except OSError:
            return  # loading it says what is wrong
        if os.name == "posix" and mode & 0o077:
            warnings.warn(AuditWarning(
                f"{path}: other users of this computer can read this instaloader session file, and whoever reads it "
                f"is logged in to Instagram as @{self.handle}; make it yours alone: chmod 600 {path}"
            ))

    # --- what is collected ----------------------------------------------------------------------

    def _profile_photo(self, profile: Profile) -> Iterator[Item | ItemError]:
        """The profile picture, with what a stranger reads beside it (from the profile already loaded)."""
        url = profile.profile_pic_url
        page = f"https://www.instagram.com/{self.handle}/"
        # Named by the picture's path: its query string is signed afresh on every visit.
        name = "profile_" + url_file_name(urlsplit(url).path, _suffix(url))
        shown = {"full_name": profile.full_name, "biography": profile.biography, "external_url": profile.external_url}
        shown = {key: value for key, value in shown.items() if value}
        item = Item(
            source_item=page, media_name=name, origin=None, kind="profile_photo", url=page, audience=ANYONE,
            caption=profile_text(shown), extra={"profile": shown} if shown else {},
        )
        item.origin = yield from self._download(url, item)
        yield item

    def _posts(self, loader: instaloader.Instaloader, posts, kind: str) -> Iterator[Item | ItemError]:
        """Every post of a listing; the listing resumes where an interrupted run stopped."""
        with resumable_iteration(
            context=loader.context,
            iterator=posts,
            load=load_structure_from_file,
            save=save_structure_to_file,
            format_path=lambda magic: str(self.cache / f"iterator_{kind}_{magic}.json"),
        ):
            for planned in self._each_post(posts, kind):
                if isinstance(planned, ItemError):
                    yield planned
                    continue
                for item, media_url in planned:
                    item.origin = yield from self._download(media_url, item)
                    yield item

    def _each_post(self, posts, kind: str) -> Iterator[list[tuple[Item, str]] | ItemError]:
        """The Items of each post with the URLs of their images, or an error row for a post that cannot be read."""
        while True:
            done = posts.total_index
            try:
                planned = self._plan(next(posts), kind)
            except StopIteration:
                return
            except POST_ERRORS as exc:
                if posts.total_index == done:  # a page of the listing failed, not one post
                    raise
                planned = ItemError(f"instagram:@{self.handle} {kind} {done + 1}", f"could not read the post: {exc!r}")
            yield planned

    def _plan(self, post: instaloader.Post, kind: str) -> list[tuple[Item, str]] | ItemError:
        """One Item per image of a post (per slide of a sidecar); every field is read before any download."""
        code = post.shortcode
        if not SHORTCODE.fullmatch(code):
            raise ValueError(f"unexpected shortcode {code!r}")
        url = f"https://www.instagram.com/p/{code}/"
        if kind == "post" and post.owner_username != self.handle:  # logged out, listings may hold others' posts
            return ItemError(url, f"skipped: a post by @{post.owner_username} in the listing of @{self.handle}", "skip")
        name, lat, lon = self._place(post)
        common = {
            "source_item": url,
            "kind": kind,
            "post_id": code,
            "url": url,
            "posted_at": post.date_utc.replace(tzinfo=timezone.utc),
            "caption": post.caption,
            "location_name": name,
            "lat": lat,
            "lon": lon,
            "tagged_users": post.tagged_users,
            # Whoever can see the profile sees its posts; a tagged post follows its owner's setting, unknown here.
            "audience": self.profile_audience if kind == "post" else None,
        }
        described = {"accessibility_caption": post.accessibility_caption} if post.accessibility_caption else {}
        if post.typename == "GraphSidecar":
            media = [(node.is_video, node.display_url) for node in post.get_sidecar_nodes()]
        else:
            media = [(post.is_video, post.url)]
        return [
            (
                Item(
                    media_name=f"{code}_{index}{_suffix(display_url)}",
                    origin=None,
                    media_type="video" if is_video else "image",
                    extra=dict(described, video_cover=True) if is_video else described,
                    **common,
                ),
                display_url,
            )
            for index, (is_video, display_url) in enumerate(media, start=1)
        ]

    def _place(self, post: instaloader.Post) -> tuple[str | None, float | None, float | None]:
        """Name and position of the post's location, which Instagram gives only to a logged-in session."""
        if not self.logged_in:
            return None, None, None
        try:
            place = post.location
            found = place._asdict() if place else {}
        except KeyError:  # instaloader 4.16 wants an 'id' where the web answer names it 'pk'
            found = instaloader.get_json_structure(post)["node"].get("location")
        if not isinstance(found, dict):
            return None, None, None
        name = found.get("name") if isinstance(found.get("name"), str) else None
        return name, _number(found.get("lat")), _number(found.get("lng"))

    def _download(self, url: str, item: Item) -> Generator[ItemError, None, Origin | None]:
        """The cached file of a media URL, downloaded once; None (and an error row) when it cannot be had."""
        path = self.cache / item.media_name
        if not path.exists():
            parts = urlsplit(url)
            if parts.scheme == "https" and (parts.hostname or "").endswith(MEDIA_HOSTS):
                self.polite.allowed_hosts.add(parts.hostname)
            try:
                data = self.polite.get(url).content
            except FetchError as exc:
                yield ItemError(item.source_item, f"could not download {item.media_name}: {exc.message}")
                return None
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(data)
            os.replace(partial, path)
        return Origin(str(path))


def _suffix(url: str) -> str:
    suffix = PurePosixPath(urlsplit(url).path).suffix.lower()
    return suffix if suffix in MEDIA_SUFFIXES else ".jpg"


def _number(value) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _causes(exc: BaseException | None) -> Iterator[BaseException]:
    """An exception and those it was raised from (instaloader wraps a 429 in a ConnectionException)."""
    while exc is not None:
        yield exc
        exc = exc.__cause__ or exc.__context__
