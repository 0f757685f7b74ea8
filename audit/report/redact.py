"""Redacted reports (`--redact`): sample reports that advocates and clubs can show in public.

`redact_report` takes what `report.report_data` returns and gives back a new dict in which:
- every thumbnail is softened all over, and every face and every piece of text the signals boxed (faces
  findings, the user's and bystanders'; image-text findings) is pixelated and blurred past recognition. The
  softening is for what no signal boxed: a face the detector missed, or a photo the faces signal never read;
- handles (the user's own, tagged and mentioned accounts, any @handle in any text), person names from profile
  fields and name tags, phone numbers, e-mail addresses, IP addresses and device ids are masked in every
  string, by the caption-text signal's own detectors plus every such value the findings already hold;
- what leads back to the original posts is gone: post URLs, post ids and platform metadata are dropped,
  media names (which carry post and media ids) become neutral labels, and photo, appearance and place ids
  (hashes of the file's bytes and of exact positions) become sequence numbers;
- positions are rounded to city level, in numbers and in text; venue names go, town and district names stay.
  The places drawing is dropped: it is drawn around each place's exact centre.

It walks the whole structure rather than named sections, so a section added to the report later is
redacted too. What it cannot know stays: a stranger's name typed into a caption is not found.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import unicodedata
from collections import Counter
from pathlib import PurePath
from typing import Any, Iterator
from urllib.parse import urlsplit

from markupsafe import Markup
from PIL import Image, ImageFilter

from ..errors import AuditError
from ..inventory import imaging
from ..signals import kinds
from ..signals.caption_text import contact_spans

CITY_DECIMALS = 1  # 0.1 degree is about 11 km of latitude: the city, not the street
COORDINATE_KEYS = {"lat", "lon", "latitude", "longitude", "points"}
# Keys whose values lead back to the post, the file or the computer: never shown in a redacted report.
# `encoding` is biometric (a face template); `raw` is the GPS as the file wrote it; `extra` is platform metadata.
DROPPED_KEYS = {"post_url", "post_id", "path", "extra", "raw", "encoding"}
# Evidence keys whose values are secrets wherever else they appear, and what replaces them.
SECRET_EVIDENCE = {"ip": "[IP address]", "device_id": "[device ID]", "e164": "[phone]"}
# Finding kinds whose quote is a secret.
SECRET_QUOTES = {"phone": "[phone]", "email": "[e-mail]", "software_id": "[id]"}
DETECTED = {"phone": "[phone]", "email": "[e-mail]"}  # caption-text span kinds masked in any text
VENUES = kinds("venue")  # findings whose evidence `name` is the venue a post was tagged with
PROFILE_NAME_FIELDS = ("Name", "full_name", "name")  # extra["profile"]: Instagram export, instaloader/live
PROFILE_LINK_FIELDS = ("Website", "external_url")

# Thumbnails. Boxes grow by this share of their size on each side: detectors box the face tightly, and hair,
# ears and jaw identify too. A boxed area keeps this many blocks across, then each block is smeared.
BOX_MARGIN = 0.3
BLOCKS_ACROSS = 6
SOFTEN_SHARE = 0.012  # whole-picture blur, as a share of the longest side: 2 px on a 160 px thumbnail

# A context window (caption-text's CONTEXT_CHARS either side) can end inside a secret: a piece of at least
# CUT_MIN characters at either end of it is masked; shorter pieces tell nothing.
CUT_MIN = 3
MAX_CUT = 80
_COORDINATE_TEXT = re.compile(r"(?<![\w.])-?\d{1,3}\.\d{3,}(?![\w.])")
HEX_ID = re.compile(r"[0-9a-f]{16,64}")  # the inventory's ids: sha256 of a file's bytes, stable_id hashes
_BOUNDARY = "A-Za-z0-9_"  # a secret is matched only where it is not the middle of a longer word


def redact_report(data: dict) -> dict:
    """A redacted copy of report_data's output, which stays as it was."""
    data = {key: value for key, value in data.items() if key != "places_drawing"}
    redacted = _Redactor(data).walk(data)
    redacted["places_drawing"] = None  # the drawing shows each position to the metre
    return redacted


class _Redactor:
    def __init__(self, data: dict):
        self.secrets: dict[str, str] = {}  # lower-cased text -> what replaces it inside any string
        self.exact: dict[str, str] = {}  # whole strings (account keys and labels) -> pseudonyms
        self.handles: dict[str, str] = {}
        self.counts: Counter = Counter()
        self.towns: set[str] = set()
        self.memo: dict[int, Any] = {}  # a card is shared by sections, places and the plan: redact it once
        self.words: set[str] = set()  # the secrets people write (not ids): a context window may cut them
        self._collect(data)
        self.pattern = _literal_pattern(self.secrets)
        self.heads = {word[:size] for word in self.words for size in range(CUT_MIN, len(word))}
        self.tails = {word[-size:] for word in self.words for size in range(CUT_MIN, len(word))}

    # --- collecting what must go, before anything is rewritten ---------------------------------------

    def _collect(self, data: dict) -> None:
        for account in data.get("accounts", []):
            self._account(account)
        for card in data.get("photos", []):
            self._card(card)
        for place in data.get("places", []):
            self._pseudonym(place["place"], "place")
            self.towns.update(name.lower() for name in (place.get("name"), place.get("name_ko")) if name)
        for person in data.get("people", []):
            self._handle(person["handle"])
        for card in data.get("photos", []):
            for appearance in card["appearances"]:
                self._venue(appearance.get("location_name"))
            for reason in card["reasons"]:
                if (reason["signal"], reason["kind"]) in VENUES:
                    self._venue(reason["evidence"].get("name"))
        # What is left: ids and file names outside the cards (photos gone since the last audit), and any text.
        for key, text in dict.fromkeys(_strings(data)):  # each once, in a fixed order (pseudonyms are numbered)
            if HEX_ID.fullmatch(text):
                self._pseudonym(text, "id")
            elif key == "label" and PurePath(text).suffix:  # a card's label is its file's name
                self._pseudonym(text, "picture", PurePath(text).suffix)
            self._detect(text)

    def _account(self, account: dict) -> None:
        self.counts["account"] += 1
        number = self.counts["account"]
        self.exact[account["key"]] = f"{account['platform']}:account-{number}"
        # The display is a label, @handle, address or folder path: whichever it is, it names the account.
        if account.get("handle"):
            self.exact[account["display"]] = "@" + self._handle(account["handle"], own=True)
        else:
            self.exact[account["display"]] = f"{account['platform']} {number}"
        if account.get("url"):
            self._secret(account["url"], "[website]")
            self._secret(urlsplit(account["url"]).hostname or "", "[website]")
        if account.get("path") and PurePath(account["path"]).is_absolute():  # /home/<user>/...
            self._secret(account["path"], "[folder]")

    def _card(self, card: dict) -> None:
        for photo in card["members"]:
            self._pseudonym(photo, "photo")
        for appearance in card["appearances"]:
            self._pseudonym(appearance["id"], "appearance")
            name = appearance.get("media_name") or ""
            self._pseudonym(name, appearance["kind"], PurePath(name).suffix)
            self._secret(appearance.get("post_id") or "", "[post id]")
            self._secret(appearance.get("post_url") or "", "[link]")
            for handle in appearance.get("tagged_users") or []:
                self._handle(handle)
            self._profile(appearance.get("extra"))
        for reason in card["reasons"]:
            self._evidence(reason["kind"], reason["evidence"])

    def _profile(self, extra: str | None) -> None:
        """Names and links from the profile fields that sources keep beside the profile picture."""
        profile = json.loads(extra or "{}").get("profile") or {}
        for field in PROFILE_NAME_FIELDS:
            self._name(profile.get(field))
        for field in PROFILE_LINK_FIELDS:
            self._secret(profile.get(field) or "", "[website]")
        if profile.get("Username"):
            self._handle(profile["Username"], own=True)

    def _evidence(self, kind: str, evidence: dict) -> None:
        if evidence.get("handle"):
            self._handle(evidence["handle"])
        for key, replacement in SECRET_EVIDENCE.items():
            self._secret(str(evidence.get(key) or ""), replacement)
        if kind in SECRET_QUOTES:
            self._secret(str(evidence.get("quote") or ""), SECRET_QUOTES[kind])
        if kind == "software_id":
            self._secret(str(evidence.get("id") or ""), "[id]")
        if kind == "name_tag":
            self._name(evidence.get("quote"))
        place = evidence.get("place")
        if isinstance(place, dict):
            self.towns.update(name.lower() for name in place.values() if name)

    def _detect(self, text: str) -> None:
        """Phones, e-mail addresses and @handles in any text, found by the caption-text signal's rules."""
        if not any(c.isdigit() or c == "@" for c in text):
            return  # none of them can be written without a digit or an @
        text = unicodedata.normalize("NFC", text)
        for span in contact_spans(text):
            if span.kind in DETECTED:
                self._secret(text[span.start : span.end], DETECTED[span.kind])
            elif span.kind == "mention":
                self._handle(span.details["handle"])

    def _venue(self, name: str | None) -> None:
        """A venue pins a position to a building; a town or district name (one geonames gave) may stay."""
        if name and not any(name.lower() in town for town in self.towns):
            self._secret(name, "[place name]")

    def _name(self, name: str | None) -> None:
        """A person's name, whole and word by word (a quote's context may cut it)."""
        if not name or not name.strip():
            return
        self._secret(name.strip(), "[name]")
        for word in name.split():
            if len(word) > 1:
                self._secret(word, "[name]")

    def _handle(self, handle: str, own: bool = False) -> str:
        """The handle's pseudonym: your-handle (then your-handle-2...) for the user's own, person-N for others."""
        handle = handle.strip().lstrip("@").lower()
        if handle and handle not in self.handles:
            kind = "your-handle" if own else "person"
            self.counts[kind] += 1
            number = self.counts[kind]
            self.handles[handle] = kind if own and number == 1 else f"{kind}-{number}"
            self._secret(handle, self.handles[handle])
        return self.handles.get(handle, "")

    def _pseudonym(self, value: str, kind: str, suffix: str = "") -> None:
        """`kind`-N, numbered in order of first sight, in place of an id or a name that holds ids."""
        if value.strip() and value.strip().lower() not in self.secrets:
            self.counts[kind] += 1
            self._secret(value, f"{kind}-{self.counts[kind]}{suffix}", written=False)

    def _secret(self, text: str, replacement: str, written: bool = True) -> None:
        text = unicodedata.normalize("NFC", text.strip()).lower()
        if text:
            self.secrets.setdefault(text, replacement)
            if written:
                self.words.add(text)

    # --- rewriting ---------------------------------------------------------------------------------

    def walk(self, value: Any, key: str | None = None, owner: dict | None = None) -> Any:
        if key in DROPPED_KEYS:
            return None
        if key in COORDINATE_KEYS:
            return _round(value)
        if key == "thumbnail" and value:
            return blur_thumbnail(value, _boxes(owner or {}))
        if key == "context" and isinstance(value, str):
            return self._cut_ends(self.text(value))
        if isinstance(value, Markup):
            return Markup(self.text(str(value)))
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, (dict, list, tuple, set)) or _is_dataclass(value):
            if id(value) not in self.memo:
                self.memo[id(value)] = self._container(value)
            return self.memo[id(value)]
        return value

    def _container(self, value: Any) -> Any:
        if isinstance(value, dict):
            # Keys are the report's own words (a key named like a folder must stay), never data.
            walked = {k: self.walk(v, k, value) for k, v in value.items()}
            return Counter(walked) if isinstance(value, Counter) else walked
        if isinstance(value, (list, tuple, set)):
            items = [self.walk(item) for item in value]
            return type(value)(*items) if hasattr(value, "_fields") else type(value)(items)  # named tuples too
        fields = {f.name: self.walk(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init}
        return dataclasses.replace(value, **fields)

    def text(self, text: str) -> str:
        if text in self.exact:
            return self.exact[text]
        # An odd case-folding (the Kelvin sign matches "k") may miss the table: masked all the same.
        text = self.pattern.sub(lambda match: self.secrets.get(match.group(0).lower(), "[masked]"), unicodedata.normalize("NFC", text))
        return _COORDINATE_TEXT.sub(lambda match: f"{float(match.group(0)):.{CITY_DECIMALS}f}", text)

    def _cut_ends(self, text: str) -> str:
        """A quote's context is a window on the caption that may cut a secret in two: what is left of it goes."""
        for size in range(min(len(text), MAX_CUT), CUT_MIN - 1, -1):
            if text[-size:].lower() in self.heads and not _inside_word(text, len(text) - size):
                text = text[:-size] + "…"
                break
        for size in range(min(len(text), MAX_CUT), CUT_MIN - 1, -1):
            if text[:size].lower() in self.tails and not _inside_word(text, size):
                return "…" + text[size:]
        return text


def _inside_word(text: str, cut: int) -> bool:
    """Whether `cut` falls between two letters or digits: a secret's piece starts or ends on a boundary."""
    return 0 < cut < len(text) and (text[cut - 1].isalnum() and text[cut].isalnum())


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, CITY_DECIMALS)
    if isinstance(value, (list, tuple)):
        return type(value)(_round(item) for item in value)
    return value


def _is_dataclass(value: Any) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, type)


def _strings(value: Any, key: str | None = None) -> Iterator[tuple[str | None, str]]:
    """Every string in the data, with the key it is under, but thumbnails and contexts (a context is a piece of a
    caption, and may cut a handle short: the piece is not another handle)."""
    if isinstance(value, str):
        if not value.startswith("data:"):
            yield key, value
    elif isinstance(value, dict):
        for child_key, item in value.items():
            if child_key != "context":
                yield from _strings(item, child_key)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            yield from _strings(item, key)
    elif _is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _strings(getattr(value, field.name), field.name)


def _literal_pattern(secrets: dict[str, str]) -> re.Pattern[str]:
    """One regex for all the secrets, as a trie: thousands of media names and ids, matched in one pass.

    Longest first at each position (a handle inside an e-mail address gives way to the address)."""
    trie: dict = {}
    for secret in secrets:
        node = trie
        for char in secret:
            node = node.setdefault(char, {})
        node[""] = {}
    body = _trie_regex(trie) or "(?!)"
    return re.compile(f"(?<![{_BOUNDARY}])(?:{body})(?![{_BOUNDARY}])", re.IGNORECASE)


def _trie_regex(node: dict) -> str:
    branches = [re.escape(char) + _trie_regex(child) for char, child in sorted(node.items()) if char]
    if "" in node:
        return f"(?:{'|'.join(branches)})?" if branches else ""
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


# --- thumbnails ------------------------------------------------------------------------------------


def _boxes(card: dict) -> list[list[float]]:
    """Every area a signal boxed in this picture (faces, text), as fractions of the picture."""
    return [reason["evidence"]["box"] for reason in card.get("reasons", []) if "box" in reason.get("evidence", {})]


def blur_thumbnail(uri: str, boxes: list[list[float]]) -> str | None:
    """The data: URI's picture softened all over, with each box obscured; None when it cannot be decoded."""
    try:
        image = imaging.decode(base64.b64decode(uri.partition(",")[2])).convert("RGB")
    except (AuditError, ValueError):
        return None  # a picture that cannot be blurred is not shown
    image = _soften(image)
    for box in boxes:
        _obscure(image, box)
    return "data:image/jpeg;base64," + base64.b64encode(imaging.jpeg_bytes(image)).decode()


def _soften(image: Image.Image) -> Image.Image:
    """A Gaussian blur of SOFTEN_SHARE, made on the picture shrunk that much: the same look, 4 times faster."""
    factor = max(1.0, SOFTEN_SHARE * max(image.size))
    small = image.resize((max(1, round(image.width / factor)), max(1, round(image.height / factor))), Image.Resampling.BOX)
    return small.filter(ImageFilter.GaussianBlur(1)).resize(image.size, Image.Resampling.BILINEAR)


def _obscure(image: Image.Image, box: list[float]) -> None:
    x0, y0, x1, y1 = box
    grow_x, grow_y = (x1 - x0) * BOX_MARGIN, (y1 - y0) * BOX_MARGIN
    left, top = max(0, round((x0 - grow_x) * image.width)), max(0, round((y0 - grow_y) * image.height))
    right, bottom = min(image.width, round((x1 + grow_x) * image.width)), min(image.height, round((y1 + grow_y) * image.height))
    if right - left < 1 or bottom - top < 1:
        return
    area = image.crop((left, top, right, bottom))
    block = max(1.0, area.width / BLOCKS_ACROSS)
    small = area.resize((max(1, round(area.width / block)), max(1, round(area.height / block))), Image.Resampling.BOX)
    area = small.resize(area.size, Image.Resampling.NEAREST).filter(ImageFilter.GaussianBlur(block))
    image.paste(area, (left, top))
