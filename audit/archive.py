"""Read an export the same way whether it is a zip or an extracted folder, without extracting.

Zips are hostile until proven otherwise: members whose path escapes the archive are refused,
and so are archives (or members) that would expand beyond sane limits. Nothing is written to disk.
"""

from __future__ import annotations

import posixpath
import zipfile
import zlib
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Iterator

from .errors import InputError, UnsafeInputError
from .models import ItemError, Origin

# Real Instagram exports of heavy users reach tens of GB; beyond this we stop and say so.
MAX_ARCHIVE_BYTES = 64 * 1024**3
# A single media file larger than this is not a photo we can audit.
MAX_MEMBER_BYTES = 512 * 1024**2
# Photos and JSON compress at most ~10:1; a higher ratio on a large member is a zip bomb.
MAX_RATIO = 200
RATIO_FLOOR_BYTES = 1024**2


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
        found = []
        for path in self.root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(self.root).as_posix())
        return found

    def read(self, rel: str) -> bytes:
        path = (self.root / rel).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise UnsafeInputError(f"{rel}: outside the folder, refused")
        if path.stat().st_size > MAX_MEMBER_BYTES:
            raise UnsafeInputError(f"{rel}: larger than {MAX_MEMBER_BYTES // 1024**2} MiB, skipped")
        return path.read_bytes()

    def origin(self, rel: str) -> Origin:
        return Origin(str((self.root / rel).resolve()))


class ZipTree(ExportTree):
    def __init__(self, root: Path):
        super().__init__(root)
        try:
            self.zip = zipfile.ZipFile(root)
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
            reason = unsafe_member_reason(info.filename) or _bomb_reason(info)
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

    def read(self, rel: str) -> bytes:
        info = self._members.get(rel)
        if info is None:
            raise InputError(f"{self.root}: member {rel} is missing or was refused")
        with self.zip.open(info) as handle:  # zipfile enforces the declared size and CRC
            return handle.read()

    def origin(self, rel: str) -> Origin:
        return Origin(str(self.root.resolve()), self._members[rel].filename)

    def refused(self) -> list[tuple[str, str]]:
        return list(self._refused)


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
    raise InputError(f"{path}: expected a folder or a .zip archive")


def refused_members(tree: ExportTree) -> Iterator[ItemError]:
    """One error row per member the archive refused as unsafe; the rest of the export is still read."""
    for member, reason in tree.refused():
        yield ItemError(member, reason)


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
    return tree.read(posixpath.normpath(origin.member.replace("\\", "/")))


@lru_cache(maxsize=8)
def _cached_zip(path: str, mtime_ns: int) -> ZipTree:
    """Parsing a large zip's directory is slow; analysis reads many members of the same one."""
    return ZipTree(Path(path))
