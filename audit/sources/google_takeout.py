"""Google Takeout of Google Photos, as a zip or a folder: `Takeout/Google Photos/<album>/<media file>`, each
media file next to a sidecar JSON.

Google Photos is the user's cloud library, not a public profile: an item was uploaded there, not necessarily
shown to anyone. So `posted_at` is the upload time (`creationTime`), like the upload times the other sources
give, and the capture time (`photoTakenTime`) is kept as `taken_at` in extra. Timestamps are strings of epoch
seconds. The place is `geoData`, else `geoDataExif` (the camera's, kept when the user removes the place in
Google Photos); 0.0, 0.0 means none. The media files usually keep their full EXIF, which the exif signal reads.

Matching media files to sidecars (docs/formats.md, and what Takeout is known to write), within one folder.
A media file `IMG_1234(1).jpg` is read as the name `IMG_1234.jpg` with duplicate counter 1. A sidecar's name is
read as the media name it was written for (its key), then `.supplemental-metadata` cut anywhere
(`.supplemental-metad`, `.suppl`, `.`) or absent, then an optional counter, then `.json`. A media file takes:
  1. the sidecar whose key is its name as it is, without a counter
     (`IMG_1234.jpg.json`, `IMG_1234.jpg.supplemental-metadata.json`, `image(1).png.json`);
  2. the sidecar with its name's key and counter (`IMG_1234.jpg(1).json`, `IMG_1234.jpg.supplemental-metadata(1).json`);
  3. the sidecar whose key is its name without extension (uploaded without one: Google added it to the file only);
  4. else a truncated sidecar: Takeout cuts long names (to 51 characters with `.json`), so the key is only the
     start of the media name. It must have the same counter, and its `title` (the original name, never cut)
     must start with the media file's stem, which may be cut too. The longest such key wins, and a sidecar
     serves one media file by this rule;
  5. an edited copy (`IMG_1234-edited.jpg`, localised `-bearbeitet`, `-modifié`, `-편집됨`...: a dash and a word
     without digits) has no sidecar of its own: it shares its original's, found by rules 1-4.
A media file without a sidecar is still inventoried. A sidecar without its media file (a multi-part export
keeps them in different zips) is inventoried as an item whose file is missing, so that its facts are not lost.

Album descriptions (`metadata.json`, localised `métadonnées.json`, `metadatos.json`, `Metadaten.json`,
`메타데이터.json`...) are recognised by structure, not by name: no `photoTakenTime` or `creationTime`, and an
`albumData` object or a `title` with a `date`. Their titles are kept as the items' `albums`. Takeout copies an
album's photos into its folder as well as into `Photos from YYYY`, under the same name: two entries are one item
only when the photo itself is the same, the same bytes, or the same title, capture time and size. A shared `url`
proves nothing (urls can be redacted or repeated), and a sidecar whose file is not here is never merged.
Every photo and video in the archive is inventoried, so it should hold Google Photos only; other files (the
archive's `archive_browser.html`, JSON of other kinds) are noted as skipped.

Who sees it: a Google Photos library is private, so its items are only the user's, unless the export shows
sharing: the photo came from a shared album (`googlePhotosOrigin.fromSharedAlbum`), or an album holding it gives
an `access` other than "protected" (the only value known, on private albums). Then the export does not say who
sees it, and the account's default applies.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any, Generator, Iterator, NamedTuple

from ..inventory.archive import READ_ERRORS, ExportTree, nothing_found, open_tree, refused_members
from ..inventory.media import PHOTO_SUFFIXES, VIDEO_SUFFIXES
from ..models import ONLY_YOU, Item, ItemError
from .base import Source
from .readers.meta_records import RecordContext, coordinates, epoch, number, parse_json, text

IMAGE_SUFFIXES = PHOTO_SUFFIXES | {".gif"}
SUPPLEMENTAL = ".supplemental-metadata"
COUNTER = re.compile(r"\((\d+)\)$")
# An edited copy's suffix: a dash and one or more words without digits ("-edited", "-ha editado", "-편집됨").
EDITED = re.compile(r"-[^\d\s_.()\-]+(?: [^\d\s_.()\-]+)*$")
SIDECAR_TIMES = ("photoTakenTime", "creationTime")
RECOGNITION_READS = 20  # JSON files read at most to recognise a Takeout

Reading = Generator[ItemError, None, Any]  # yields problems, returns what it read


class MediaName(NamedTuple):
    name: str  # as on disk: IMG_1234(1).jpg
    base: str  # without the duplicate counter: IMG_1234.jpg
    counter: int | None

    @classmethod
    def parse(cls, name: str) -> "MediaName":
        stem, suffix = posixpath.splitext(name)
        match = COUNTER.search(stem)
        if not match:
            return cls(name, name, None)
        return cls(name, stem[: match.start()] + suffix, int(match[1]))

    def exact_keys(self) -> list[tuple[str, int | None]]:
        """The (key, counter) of the sidecars rules 1-3 accept, in order."""
        return [(self.name, None), (self.base, self.counter), (posixpath.splitext(self.base)[0], self.counter)]

    def original(self) -> "MediaName | None":
        """For an edited copy (`IMG_1234-edited(1).jpg`), the name of the file it was edited from."""
        stem, suffix = posixpath.splitext(self.base)
        cut = EDITED.search(stem)
        if not cut or cut.start() == 0:
            return None
        counter = f"({self.counter})" if self.counter is not None else ""
        return MediaName(stem[: cut.start()] + counter + suffix, stem[: cut.start()] + suffix, self.counter)


@dataclass
class Sidecar:
    rel: str
    key: str  # the media name it was written for, perhaps cut short
    counter: int | None
    title: str | None
    url: str | None
    caption: str | None
    posted_at: datetime | None
    lat: float | None
    lon: float | None
    shared: bool  # from a shared album
    extra: dict[str, Any]


# What a media file without a sidecar knows from Google: nothing.
NO_SIDECAR = Sidecar("", "", None, None, None, None, None, None, None, False, {})


class Album(NamedTuple):
    title: str | None
    shared: bool  # its `access` says something other than "protected"


@dataclass
class Entry:
    """A media file with its sidecar, or a sidecar whose media file is not in the export (rel None)."""

    rel: str | None
    name: str
    sidecar: Sidecar | None
    album: Album | None
    edit_of: str | None = None
    albums: list[Album] = field(default_factory=list)


class GoogleTakeoutSource(Source):
    name = "google-takeout"
    app = "google-photos"
    exported = True
    description = "Google Takeout of Google Photos (zip or folder): a private cloud library with sidecar JSON per photo"
    example = "formats/google_takeout_2024_en_handmade/Takeout"
    needs = "path"

    @classmethod
    def recognises(cls, tree: ExportTree) -> bool:
        """A sidecar among the first JSON files that sit beside a photo or a video (a Takeout's are tiny)."""
        grouped = folders(tree)
        beside_media = [posixpath.join(folder, name) for folder, names in sorted(grouped.items())
                        if any(is_media(other) for other in names) for name in names if name.lower().endswith(".json")]
        return any(is_sidecar(json_or_none(tree, rel)) for rel in beside_media[:RECOGNITION_READS])

    def items(self) -> Iterator[Item | ItemError]:
        tree = open_tree(self.account.path)
        yield from refused_members(tree)
        entries: list[Entry] = []
        described = False  # any sidecar or album description: this is a Takeout of Google Photos
        for folder, names in sorted(folders(tree).items()):
            found, has_json = yield from read_folder(tree, folder, names)
            entries.extend(found)
            described = described or has_json
        if not described:
            raise nothing_found(
                tree,
                f"{self.account.path}: no Google Photos sidecar JSON found "
                "(expected Takeout/Google Photos/<album>/<photo>.json or .supplemental-metadata.json)",
            )
        for copies in merge_copies(tree, entries):
            yield entry_item(tree, copies)


def folders(tree: ExportTree) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for rel in sorted(tree.files()):
        folder, name = posixpath.split(rel)
        grouped.setdefault(folder, []).append(name)
    return grouped


def read_folder(tree: ExportTree, folder: str, names: list[str]) -> Reading:
    """Returns the folder's entries, and whether it held any sidecar or album description."""
    media: list[MediaName] = []
    sidecars: list[Sidecar] = []
    album: Album | None = None
    described = False
    for name in names:
        rel = posixpath.join(folder, name)
        suffix = PurePosixPath(name).suffix.lower()
        if is_media(name):
            media.append(MediaName.parse(name))
        elif suffix == ".json":
            doc = yield from read_json(tree, rel)
            if is_sidecar(doc):
                sidecars.append((yield from read_sidecar(doc, rel, name)))
            elif is_album(doc):
                album = read_album(doc)
            elif doc is not None:
                yield ItemError(rel, "skipped: neither a photo's sidecar nor an album description", stage="skip")
            described = described or is_sidecar(doc) or is_album(doc)
        else:
            yield ItemError(rel, "skipped: not a photo, a video or a sidecar", stage="skip")
    return folder_entries(folder, media, sidecars, album), described


def read_json(tree: ExportTree, rel: str) -> Reading:
    try:
        raw = tree.read(rel)
    except READ_ERRORS as exc:
        yield ItemError(rel, f"could not read the file: {getattr(exc, 'message', exc)}")
        return None
    # Takeout writes real UTF-8; the Meta mojibake repair leaves it unchanged.
    return (yield from parse_json(raw, rel))


def is_media(name: str) -> bool:
    return PurePosixPath(name).suffix.lower() in IMAGE_SUFFIXES | VIDEO_SUFFIXES


def json_or_none(tree: ExportTree, rel: str) -> Any:
    """The file's JSON, or None when it cannot be read or parsed (for recognising: its errors come in items())."""
    try:
        return json.loads(tree.read(rel))
    except (*READ_ERRORS, ValueError):
        return None


def is_sidecar(doc: Any) -> bool:
    return isinstance(doc, dict) and any(name in doc for name in SIDECAR_TIMES)


def is_album(doc: Any) -> bool:
    """An album description: `{"albumData": {...}}` (older), or `{"title", "description", "access", "date"}`."""
    if not isinstance(doc, dict) or is_sidecar(doc):
        return False
    return isinstance(doc.get("albumData"), dict) or ("title" in doc and "date" in doc)


def read_album(doc: dict) -> Album:
    section = doc["albumData"] if isinstance(doc.get("albumData"), dict) else doc
    title = section.get("title")
    access = section.get("access")
    return Album((title.strip() or None) if isinstance(title, str) else None, access not in (None, "protected"))


def sidecar_key(name: str) -> tuple[str, int | None]:
    """`IMG_1234.jpg.supplemental-metad(1).json` -> ("IMG_1234.jpg", 1)."""
    stem = name[: -len(".json")]
    match = COUNTER.search(stem)
    counter = int(match[1]) if match else None
    stem = stem[: match.start()] if match else stem
    head, dot, tail = stem.rpartition(".")
    if dot and SUPPLEMENTAL.startswith(dot + tail):
        stem = head
    return stem, counter


def read_sidecar(doc: dict, rel: str, name: str) -> Reading:
    context = RecordContext(rel, "")
    lat, lon, place_from = place(doc, context)
    taken = time_of(doc, "photoTakenTime", context)
    people = doc.get("people") if isinstance(doc.get("people"), list) else []
    origin = doc.get("googlePhotosOrigin")
    names = [person.get("name") for person in people if isinstance(person, dict)]
    extra = {
        "taken_at": taken.isoformat() if taken else None,
        "location_from": place_from,
        "people": [name for name in names if isinstance(name, str) and name],  # named faces: private labels
        "uploaded_from": origin,
        "sidecar": rel,
    }
    sidecar = Sidecar(
        rel,
        *sidecar_key(name),
        title=text(doc.get("title"), context, "title"),
        url=text(doc.get("url"), context, "url"),
        caption=text(doc.get("description"), context, "description"),
        posted_at=time_of(doc, "creationTime", context),
        lat=lat,
        lon=lon,
        shared=isinstance(origin, dict) and "fromSharedAlbum" in origin,
        extra=extra,
    )
    for problem in context.problems:
        yield ItemError(rel, problem)
    return sidecar


def time_of(doc: dict, name: str, context: RecordContext) -> datetime | None:
    """`{"timestamp": "1696574331", "formatted": "..."}`: epoch seconds written as a string."""
    section = doc.get(name)
    value = section.get("timestamp") if isinstance(section, dict) else section
    if isinstance(value, str) and number(value) is not None:
        value = number(value)
    return epoch(value, context, f"{name}.timestamp")


def place(doc: dict, context: RecordContext) -> tuple[float | None, float | None, str | None]:
    """The position from geoData, else geoDataExif, and which one it came from; (0, 0) is no position."""
    for name in ("geoData", "geoDataExif"):
        section = doc.get(name)
        if section is None:
            continue
        if not isinstance(section, dict):
            context.note(name, "is not an object")
            continue
        pair = coordinates(section.get("latitude"), section.get("longitude"), context, f"{name}.latitude")
        if pair:
            return pair[0], pair[1], name
    return None, None, None


def folder_entries(folder: str, media: list[MediaName], sidecars: list[Sidecar], album: Album | None) -> list[Entry]:
    paired = pair_sidecars(media, sidecars)
    entries = []
    for name in media:
        sidecar, edit_of = paired.get(name.name, (None, None))
        entries.append(Entry(posixpath.join(folder, name.name), name.name, sidecar, album, edit_of))
    used = {id(sidecar) for sidecar, _ in paired.values()}
    for sidecar in sidecars:
        if id(sidecar) not in used:
            entries.append(Entry(None, sidecar.title or sidecar.key, sidecar, album))
    return entries


def pair_sidecars(media: list[MediaName], sidecars: list[Sidecar]) -> dict[str, tuple[Sidecar, str | None]]:
    """Media file name -> (its sidecar, the original's name when it is an edited copy): rules 1-5 above."""
    exact: dict[tuple[str, int | None], Sidecar] = {}
    for sidecar in sidecars:
        exact.setdefault((sidecar.key, sidecar.counter), sidecar)
    paired: dict[str, tuple[Sidecar, str | None]] = {}
    for name in media:
        found = exact_match(name, exact)
        if found:
            paired[name.name] = (found, None)
    taken = {id(sidecar) for sidecar, _ in paired.values()}
    for name in media:
        found = None if name.name in paired else truncated_match(name, [s for s in sidecars if id(s) not in taken])
        if found:
            paired[name.name] = (found, None)
            taken.add(id(found))
    for name in media:
        original = None if name.name in paired else name.original()
        found = original and (exact_match(original, exact) or truncated_match(original, sidecars))
        if found:
            paired[name.name] = (found, original.base)
    return paired


def exact_match(name: MediaName, exact: dict[tuple[str, int | None], Sidecar]) -> Sidecar | None:
    return next((exact[key] for key in name.exact_keys() if key in exact), None)


def truncated_match(name: MediaName, sidecars: list[Sidecar]) -> Sidecar | None:
    stem = nfc(posixpath.splitext(name.base)[0])
    fits = [
        sidecar
        for sidecar in sidecars
        if sidecar.counter == name.counter
        and name.base.startswith(sidecar.key)
        and sidecar.title
        and nfc(sidecar.title).startswith(stem)
    ]
    return max(fits, key=lambda sidecar: len(sidecar.key), default=None)


def nfc(name: str) -> str:
    """macOS writes file names decomposed (NFD); the JSON titles are composed."""
    return unicodedata.normalize("NFC", name)


def merge_copies(tree: ExportTree, entries: list[Entry]) -> list[Entry]:
    """One entry per Google Photos item: the copies of a photo merged (see the module's docstring). Copies keep
    the photo's name, so only same-named entries are compared, and only their files are read."""
    named: dict[Any, list[Entry]] = {}
    for entry in entries:
        named.setdefault(copy_name(entry) if entry.rel else id(entry), []).append(entry)
    groups = [group for same_name in named.values() for group in same_photo(tree, same_name)]
    order = {id(entry): index for index, entry in enumerate(entries)}
    merged = []
    for copies in sorted(groups, key=lambda group: order[id(group[0])]):
        chosen = copies[0]
        chosen.albums = [entry.album for entry in copies if entry.album]
        merged.append(chosen)
    return merged


def copy_name(entry: Entry) -> tuple[str, str | None]:
    """The photo's name (the sidecar's title, else the file's name without a counter), and what it is an edit of."""
    name = entry.sidecar.title if entry.sidecar and entry.sidecar.title else MediaName.parse(entry.name).base
    return nfc(name), entry.edit_of


def same_photo(tree: ExportTree, entries: list[Entry]) -> list[list[Entry]]:
    """Same-named entries grouped by photo: the same bytes, or the same capture time and size."""
    if len(entries) == 1:
        return [entries]
    groups: list[tuple[set, list[Entry]]] = []
    for entry in entries:
        keys = photo_keys(tree, entry)
        group = next((group for group in groups if group[0] & keys), None)
        if group is None:
            groups.append((keys, [entry]))
        else:
            group[0].update(keys)
            group[1].append(entry)
    return [members for _, members in groups]


def photo_keys(tree: ExportTree, entry: Entry) -> set:
    """What makes two copies one photo; none for a file that cannot be read (the pipeline reports it)."""
    try:
        data = tree.read(entry.rel)
    except READ_ERRORS:
        return set()
    taken = entry.sidecar.extra.get("taken_at") if entry.sidecar else None
    keys = {("bytes", hashlib.sha256(data).hexdigest())}
    return keys | {("taken", taken, len(data))} if taken else keys


def entry_item(tree: ExportTree, entry: Entry) -> Item:
    facts = entry.sidecar or NO_SIDECAR
    folder = posixpath.dirname(entry.rel or facts.rel)
    albums = sorted({album.title for album in entry.albums if album.title})
    extra = {**facts.extra, "albums": albums, "edited_copy_of": entry.edit_of}
    return Item(
        source_item=entry.rel or facts.rel,
        # From the Google Photos folder down: the same whether the export is a zip, a folder or a part of one.
        media_name=f"{posixpath.basename(folder)}/{entry.name}",
        origin=tree.origin(entry.rel) if entry.rel else None,
        kind="file",
        media_type="video" if PurePosixPath(entry.name).suffix.lower() in VIDEO_SUFFIXES else "image",
        post_id=facts.url.rstrip("/").rsplit("/", 1)[-1] if facts.url else None,
        url=facts.url,
        posted_at=facts.posted_at,
        caption=facts.caption,
        lat=facts.lat,
        lon=facts.lon,
        audience=None if facts.shared or any(album.shared for album in entry.albums) else ONLY_YOU,
        extra={key: value for key, value in extra.items() if value},
    )
