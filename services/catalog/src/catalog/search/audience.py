"""Which e-resource text a search may look into and quote, by who is searching.

The extracted text of a record's files is indexed in one field per audience, after the file's
access rule: ``fulltext`` (public files), ``fulltext_members`` (members-only files) and
``fulltext_staff`` (on-site and restricted files). An anonymous search looks into, and quotes,
the public text only; a reader's (:func:`audience_of`) also the members' text; staff's every text. Words a
user prefixes with a text field (``teks:``, ``fulltext_staff:`` …) are looked for in the text
fields that user may search, never in the others.
"""

from __future__ import annotations

from enum import IntEnum

from catalog.models import AccessRule
from catalog.search.schema import CATALOG_SCHEMA
from pusip_kit.auth.subject import ANONYMOUS, AuthSubject
from pusip_kit.search import textquery as tq


class Audience(IntEnum):
    PUBLIC = 0
    MEMBERS = 1
    STAFF = 2


FULLTEXT_FIELD: dict[str, str] = {
    AccessRule.PUBLIC: "fulltext",
    AccessRule.MEMBERS: "fulltext_members",
    AccessRule.ON_SITE: "fulltext_staff",
    AccessRule.RESTRICTED: "fulltext_staff",
}
"""The index field holding the text of a file with this access rule."""
FULLTEXT_FIELDS: dict[Audience, tuple[str, ...]] = {
    Audience.PUBLIC: ("fulltext",),
    Audience.MEMBERS: ("fulltext", "fulltext_members"),
    Audience.STAFF: ("fulltext", "fulltext_members", "fulltext_staff"),
}
"""The text fields each audience may search and be quoted."""
ALL_FULLTEXT = frozenset(FULLTEXT_FIELD.values())


def audience_of(auth_subject: AuthSubject | None) -> Audience:
    """Staff see every text; the accounts that may read every members-only file (legal deposits
    included: patrons, agency systems, deposit officers) the members' text; anyone else — anonymous,
    or signed in for another room (a publisher, an archivist) — the public text only."""
    from catalog.eresources.service import DEPOSIT_FILE_ROLES, STAFF_ROLES  # it imports the indexer

    if auth_subject is None or auth_subject.subject == ANONYMOUS.subject:
        return Audience.PUBLIC
    if auth_subject.has_role(*STAFF_ROLES):
        return Audience.STAFF
    return Audience.MEMBERS if auth_subject.has_role(*DEPOSIT_FILE_ROLES) else Audience.PUBLIC


def _leaves_in(node: tq.Node, fields: frozenset[str]) -> bool:
    if isinstance(node, tq.WordNode | tq.PhraseNode):
        return node.field in fields
    if isinstance(node, tq.NotNode):
        return _leaves_in(node.item, fields)
    return any(_leaves_in(c, fields) for c in node.items)


def _rewrite(node: tq.Node, allowed: tuple[str, ...]) -> tq.Node:
    if isinstance(node, tq.WordNode | tq.PhraseNode):
        if node.field not in ALL_FULLTEXT:
            return node
        alternatives = tuple(type(node)(node.text, f) for f in allowed)
        return alternatives[0] if len(alternatives) == 1 else tq.OrNode(alternatives)
    if isinstance(node, tq.NotNode):
        return tq.NotNode(_rewrite(node.item, allowed))
    if isinstance(node, tq.AndNode):
        return tq.AndNode(tuple(_rewrite(c, allowed) for c in node.items))
    return tq.OrNode(tuple(_rewrite(c, allowed) for c in node.items))


def restrict_text(text: str | None, audience: Audience) -> str | None:
    """``text`` with every word fielded to an e-resource text field looked for in the audience's."""
    if not text:
        return text
    node = tq.parse(text, CATALOG_SCHEMA.prefixes)
    if node is None or not _leaves_in(node, ALL_FULLTEXT):
        return text
    return tq.to_string(_rewrite(node, FULLTEXT_FIELDS[audience]))
