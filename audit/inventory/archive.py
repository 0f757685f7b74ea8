"""Read an export the same way whether it is a zip or an extracted folder, without extracting.

Zips are hostile until proven otherwise: members whose path escapes the archive are refused,
and so are archives (or members) that would expand beyond sane limits. Nothing is written to disk.
"""

from __future__ import annotations

import io
import posixpath
import stat
import struct
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator, TypeVar

from ..errors import InputError, UnsafeInputError
from ..models import ItemError, Origin

T = TypeVar("T")

# Real Instagram exports of heavy users reach tens of GB; beyond this we stop and say so.
MAX_ARCHIVE_BYTES = 64 * 1024**3
# A single media file larger than this is not a photo we can audit.
MAX_MEMBER_BYTES = 512 * 1024**2
# Photos and JSON compress at most ~10:1; a higher ratio on a large member is a zip bomb.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024**2
# Refused members named in an account's error; all of them have their own error rows.
SHOWN_REFUSALS = 3
ZIP_START = b"PK\x03\x04"  # a zip's first member header: a file that starts so and has no end is a zip cut short
CENTRAL_ENTRY = b"PK\x01\x02"
ENCRYPTED, UTF8_NAME = 0x1, 0x800  # general purpose flag bits


# What reading one file of a sound archive can still raise: a corrupt member, an unsupported
# compression method (NotImplementedError from zipfile), a member too large to read.
READ_ERRORS = (InputError, OSError, zipfile.BadZipFile, zlib.error, NotImplementedError, EOFError)


def unsafe_member_reason(name: str) -> str | None:
    """Why a zip member name must not be used, or None when it stays inside the archive."""
    if "\x00" in name:
        return "member name contains a NUL byte"
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or PurePosixPath(normalized).is_absolute():
        return "member path is absolute"
    if len(normalized) > 1 and normalized[1] == ":":
        return "member path names a drive"
    if ".." in PurePosixPath(normalized).parts:
        return "member path escapes the archive folder ('..')"
    return None


class ExportTree:
    """The files of an export, addressed by relative POSIX paths."""

    def __init__(self, root: Path):
        self.root = root

    def files(self) -> list[str]:
        raise NotImplementedError

    def read(self, rel: str) -> bytes:
        raise NotImplementedError

    def origin(self, rel: str) -> Origin:
        raise NotImplementedError

    def refused(self) -> list[tuple[str, str]]:
        """Members refused as unsafe, with the reason: recorded as per-item errors."""
        return []

    def links(self) -> list[str]:
        """Symbolic links passed over (never followed): noted, not errors."""
        return []

    def exists(self, rel: str) -> bool:
        return rel in self._index()

    def _index(self) -> set[str]:
        if not hasattr(self, "_files_cache"):
            self._files_cache = set(self.files())
        return self._files_cache

    def _by_basename(self) -> dict[str, list[str]]:
        if not hasattr(self, "_basename_cache"):
            self._basename_cache: dict[str, list[str]] = {}
            for rel in sorted(self._index()):
                self._basename_cache.setdefault(posixpath.basename(rel), []).append(rel)
        return self._basename_cache

    def glob(self, pattern: str) -> Iterator[str]:
        """Files whose path matches a glob (`*` does not cross `/`), sorted."""
        for rel in sorted(self._index()):
            if PurePosixPath(rel).match(pattern):
                yield rel

    def find_suffix(self, rel: str) -> str | None:
        """The file whose path is `rel` or ends with `/rel`: exports are often zipped inside a top folder."""
        rel = rel.lstrip("/")
        if self.exists(rel):
            return rel
        candidates = self._by_basename().get(posixpath.basename(rel), [])
        matches = [f for f in candidates if f.endswith("/" + rel)]
        return matches[0] if matches else None


class FolderTree(ExportTree):
    def files(self) -> list[str]:
        paths = self.root.rglob("*")
        return [path.relative_to(self.root).as_posix() for path in paths if path.is_file() and not path.is_symlink()]

    def links(self) -> list[str]:
        # A link can point anywhere (another user's photos, /etc): the folder is what was listed, not where links go.
        return sorted(path.relative_to(self.root).as_posix() for path in self.root.rglob("*") if path.is_symlink())

    def read(self, rel: str) -> bytes:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise UnsafeInputError(f"{rel}: outside the folder, refused")
        try:
            if path.stat().st_size > MAX_MEMBER_BYTES:
                raise UnsafeInputError(f"{rel}: larger than {MAX_MEMBER_BYTES // 1024**2} MiB, skipped")
            return path.read_bytes()
        except OSError as exc:  # gone, a folder now, not allowed, a disk error: this file only
            raise InputError(f"{rel}: could not read the file ({exc.strerror or exc})") from exc

    def origin(self, rel: str) -> Origin:
        return Origin(str((self.root / rel).resolve()))


class ZipTree(ExportTree):
    def __init__(self, root: Path):
        super().__init__(root)
        try:
            self.zip = _open_zip(root)
        except (zipfile.BadZipFile, OSError) as exc:
            raise InputError(f"{root}: not a readable zip archive ({exc})") from exc
        self._refused: list[tuple[str, str]] = []
        self._members: dict[str, zipfile.ZipInfo] = {}
        self._check_and_index()

    def _check_and_index(self) -> None:
        total = 0
        for info in self.zip.infolist():
            total += info.file_size
            if info.is_dir():
                continue
            reason = unsafe_member_reason(info.filename) or _link_reason(info) or _bomb_reason(info)
            if reason:
                self._refused.append((info.filename, f"refused: {reason}"))
                continue
            self._members[posixpath.normpath(info.filename.replace("\\", "/"))] = info
        if total > MAX_ARCHIVE_BYTES:
            raise UnsafeInputError(
                f"{self.root}: refused, the archive would expand to {total / 1024**3:.1f} GiB "
                f"(limit {MAX_ARCHIVE_BYTES // 1024**3} GiB)"
            )

    def files(self) -> list[str]:
        return list(self._members)

    def member(self, rel: str) -> zipfile.ZipInfo | None:
        return self._members.get(rel)

    def read(self, rel: str) -> bytes:
        info = self._members.get(rel)
        if info is None:
            raise InputError(f"{self.root}: member {rel} is missing or was refused")
        if info.flag_bits & ENCRYPTED:
            raise InputError(f"{rel}: encrypted in the archive (it needs a password), so it cannot be read")
        try:
            with self.zip.open(info) as handle:  # zipfile enforces the declared size and CRC
                return handle.read()
        except NotImplementedError as exc:
            raise InputError(f"{rel}: compressed in a way that cannot be read here ({exc})") from exc
        except UnicodeDecodeError as exc:  # see _open_zip: its header still says its name is UTF-8
            raise InputError(f"{rel}: its name in the archive is not valid UTF-8, so it cannot be read") from exc
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            # A bad CRC, more bytes than declared, a cut-off member: most often an export not fully downloaded.
            raise InputError(
                f"{rel}: damaged in the archive ({exc}); the export may be incomplete: download it again"
            ) from exc

    def origin(self, rel: str) -> Origin:
        return Origin(str(self.root.resolve()), self._members[rel].filename)

    def refused(self) -> list[tuple[str, str]]:
        return list(self._refused)


def _open_zip(root: Path) -> zipfile.ZipFile:
    """The archive; when a member's name is flagged UTF-8 but is not (some zip tools do this), that name is read as
    code page 437, as zipfile reads unflagged names, rather than the whole archive being lost for one name."""
    try:
        return zipfile.ZipFile(root)
    except UnicodeDecodeError:
        return zipfile.ZipFile(_FalseUtf8FlagsCleared(root))


class _FalseUtf8FlagsCleared(io.FileIO):
    """The archive's file, its central directory read with the UTF-8 flag cleared on names that are not UTF-8."""

    def read(self, size: int = -1) -> bytes:
        data = super().read(size)
        return _clear_false_utf8_flags(data) if data.startswith(CENTRAL_ENTRY) else data


def _clear_false_utf8_flags(directory: bytes) -> bytes:
    entries, at = bytearray(directory), 0
    while entries[at:at + 4] == CENTRAL_ENTRY and at + 46 <= len(entries):
        (flags,) = struct.unpack_from("<H", entries, at + 8)
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", entries, at + 28)
        try:
            bytes(entries[at + 46:at + 46 + name_length]).decode("utf-8")
        except UnicodeDecodeError:
            struct.pack_into("<H", entries, at + 8, flags & ~UTF8_NAME)
        at += 46 + name_length + extra_length + comment_length
    return bytes(entries)


def _link_reason(info: zipfile.ZipInfo) -> str | None:
    # An export holds files; a link's "content" is a path on someone's computer, which must never be followed.
    return "member is a symbolic link, never followed" if stat.S_ISLNK(info.external_attr >> 16) else None


def _bomb_reason(info: zipfile.ZipInfo) -> str | None:
    if info.file_size > MAX_MEMBER_BYTES:
        return f"member would expand to {info.file_size / 1024**2:.0f} MiB"
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        return f"compression ratio {info.file_size // max(info.compress_size, 1)}:1 looks like a zip bomb"
    return None


def open_tree(path: Path) -> ExportTree:
    """An ExportTree for a folder or a .zip file; InputError when it is neither."""
    if path.is_dir():
        return FolderTree(path)
    if path.is_file() and zipfile.is_zipfile(path):
        return ZipTree(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if _starts_like_a_zip(path):
        raise InputError(
            f"{path}: an incomplete or damaged .zip archive (its end, which lists its files, is missing: a download "
            "cut short?); download the export again"
        )
    raise InputError(f"{path}: expected a folder or a .zip archive")


def _starts_like_a_zip(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(len(ZIP_START)) == ZIP_START
    except OSError:
        return False


def open_export(path: Path, find: Callable[[ExportTree], T], expected: str) -> tuple[ExportTree, T]:
    """The export at path and what `find` finds in it; when that is empty, the error says what was expected."""
    tree = open_tree(path)
    found = find(tree)
    if not found:
        raise nothing_found(tree, f"{path}: {expected}")
    return tree, found


def nothing_found(tree: ExportTree, message: str) -> InputError:
    """The error for an export in which none of the expected files was found. When members were refused, that is
    what happened (the files may be among them): UnsafeInputError, naming each refused member and why."""
    refused = tree.refused()
    if not refused:
        return InputError(message)
    named = "; ".join(f"{member} ({reason})" for member, reason in refused[:SHOWN_REFUSALS])
    more = f"; and {len(refused) - SHOWN_REFUSALS} more" if len(refused) > SHOWN_REFUSALS else ""
    return UnsafeInputError(f"{message}; {len(refused)} member(s) were refused as unsafe: {named}{more}")


def refused_members(tree: ExportTree) -> Iterator[ItemError]:
    """One error row per member the archive refused as unsafe, a note per link passed over; the rest is still read."""
    for member, reason in tree.refused():
        yield ItemError(member, reason)
    for link in tree.links():
        yield ItemError(link, "skipped: a symbolic link, never followed", stage="skip")


def locate_media(tree: ExportTree, root: str, uri: str) -> Origin | None:
    """The file a media URI names, or None when the export does not contain it.

    URIs are relative to the export root; 2025 exports may keep the files one folder deeper
    (your_instagram_activity/media/...), which the suffix search finds. Only indexed members are
    ever returned, so a URI with `..` cannot reach outside the export.
    """
    uri = posixpath.normpath(uri.lstrip("/"))
    exact = posixpath.join(root, uri) if root else uri
    found = exact if tree.exists(exact) else tree.find_suffix(uri)
    return tree.origin(found) if found else None


def read_origin(origin: Origin | dict) -> bytes:
    """Read a media file's bytes again from where collection found it."""
    if isinstance(origin, dict):
        origin = Origin(**origin)
    path = Path(origin.path)
    if not path.exists():
        raise InputError(f"{path}: no longer exists; collect again to refresh the inventory")
    if origin.member is None:
        return FolderTree(path.parent).read(path.name)
    tree = _cached_zip(str(path), path.stat().st_mtime_ns)
    return tree.read(_member_name(origin.member))


def _member_name(member: str) -> str:
    return posixpath.normpath(member.replace("\\", "/"))


def file_signature(origin: Origin) -> tuple | None:
    """What tells a media file's bytes apart without reading them, as rsync does: a file's size and modification
    time, a zip member's size and CRC. None when that cannot be told (a file gone, a link, a member refused)."""
    path = Path(origin.path)
    try:
        status = path.lstat()
    except OSError:
        return None
    if not stat.S_ISREG(status.st_mode):
        return None
    if origin.member is None:
        return (origin.path, status.st_size, status.st_mtime_ns)
    try:
        info = _cached_zip(str(path), status.st_mtime_ns).member(_member_name(origin.member))
    except (InputError, OSError, zipfile.BadZipFile):
        return None  # read_origin says what is wrong with it
    return (origin.path, origin.member, info.file_size, info.CRC) if info else None


@lru_cache(maxsize=8)
def _cached_zip(path: str, mtime_ns: int) -> ZipTree:
    """Parsing a large zip's directory is slow; analysis reads many members of the same one."""
    return ZipTree(Path(path))
