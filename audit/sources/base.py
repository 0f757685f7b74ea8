"""What every source is: a named class that turns one configured account into Items."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Iterator

from ..models import ANYONE, Item, ItemError

if TYPE_CHECKING:
    from ..config import Account
    from ..inventory.archive import ExportTree


class Source:
    """Subclasses declare themselves with class attributes and implement `items()`.

    `items()` is a generator: it yields an Item per media file (or per post whose media
    file is missing) and an ItemError for anything it could not read; it never raises for a
    single bad record. Raising an AuditError means the whole account cannot be read.

    Every source declares an `example` (required, no default), which tests/test_examples.py runs.
    """

    name: ClassVar[str]  # the `platform` value in accounts.toml
    description: ClassVar[str]  # one line for `photo-audit sources`
    # Required: a path relative to tests/fixtures/ that items() reads into at least one Item: an export or folder,
    # or for a live source a recording of the answers it needs offline (tests/fixtures/examples/PROVENANCE.md).
    example: ClassVar[str]
    needs: ClassVar[str] = "path"  # which config key locates the account: path, url or handle
    live: ClassVar[bool] = False  # True when collection talks to the network (needs proof of control)
    # Who can see the account's items when neither the export nor the config (`audience = ...`) says.
    audience: ClassVar[str] = ANYONE
    # Where a person finds one of its posts when the post has no link of its own: the app (or place) the removal
    # plan's template words the way in (instagram, facebook, x, google-photos, folder, website).
    app: ClassVar[str]
    # It reads a download of the account ("Download your information", an archive): a post's media name is the
    # file's path in that download, shown apart from where to look.
    exported: ClassVar[bool] = False
    # It recognises any folder that holds a photo: asked only when no other source recognises a path (audit/detect.py).
    catch_all: ClassVar[bool] = False

    def __init__(self, account: "Account"):
        self.account = account
        # The account's handle as the platforms write it in addresses: without the @, in lower case.
        self.handle = (account.handle or "").strip().lstrip("@").lower() if self.needs == "handle" else ""
        # Live sources only (see audit/proof.py): the pipeline sets the first two before items().
        self.proof_token: str | None = None  # what the user must show in the bio or on the site
        self.proven_before = False  # the token was seen on an earlier run: it may be gone now
        self.proof_seen = False  # items() sets this when it sees the token (or a login) on this run

    @classmethod
    def recognises(cls, tree: "ExportTree") -> bool:
        """Whether the folder or zip `tree` looks like what this source reads, for `photo-audit run PATH` without
        accounts.toml. It looks at file names (and at most a few small files), never reads the whole export."""
        return False

    def items(self) -> Iterator[Item | ItemError]:
        raise NotImplementedError
