"""OAI-PMH 2.0 protocol handling: verbs, arguments, errors, resumption tokens, XML.

The provider knows the protocol; a service supplies a :class:`RecordSource` that lists headers
in datestamp order, fetches one record and renders metadata in each format. Resumption tokens
are signed (HMAC) and carry the original arguments and the position, so they cannot be forged
and survive restarts; the ``(datestamp, id)`` cursor keeps paging stable while records change.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VERBS = ("Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords", "GetRecord")
_ALLOWED = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), {"resumptionToken"}),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set", "resumptionToken"}),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
}
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SECOND = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str


OAI_DC = MetadataFormat(
    "oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/"
)
MARC21 = MetadataFormat(
    "marc21", "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd", "http://www.loc.gov/MARC21/slim"
)


@dataclass(frozen=True)
class OaiSet:
    spec: str
    name: str


@dataclass(frozen=True)
class OaiHeader:
    local_id: str
    datestamp: datetime
    sets: tuple[str, ...] = ()
    deleted: bool = False


@dataclass(frozen=True)
class OaiRecord:
    header: OaiHeader
    metadata: dict[str, str] = field(default_factory=dict)  # prefix → XML fragment


@dataclass(frozen=True)
class RepositoryInfo:
    name: str
    base_url: str
    admin_email: str
    repository_identifier: str  # "perpustakaan.jakarta.go.id" → identifiers oai:<this>:<local id>
    earliest_datestamp: datetime
    deleted_record: str = "persistent"


class RecordSource(Protocol):
    async def headers(
        self,
        *,
        start: datetime | None,
        until: datetime | None,
        set_spec: str | None,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> tuple[list[OaiHeader], int]:
        """Headers ordered by (datestamp, local_id) strictly after ``after``, and how many records
        match the range and set in all (ignoring ``after``): the complete list size."""
        ...

    async def records(self, headers: Sequence[OaiHeader], prefix: str) -> list[OaiRecord]: ...

    async def record(self, local_id: str, prefix: str) -> OaiRecord | None: ...

    async def formats_for(self, local_id: str) -> Sequence[str] | None:
        """Prefixes this record can be disseminated in; None when it does not exist."""
        ...

    async def sets(self) -> Sequence[OaiSet]: ...


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OaiProvider:
    def __init__(
        self,
        info: RepositoryInfo,
        source: RecordSource,
        *,
        secret: str,
        formats: Sequence[MetadataFormat] = (OAI_DC, MARC21),
        page_size: int = 100,
    ) -> None:
        self.info, self.source, self.formats = info, source, {f.prefix: f for f in formats}
        self.secret = secret.encode()
        self.page_size = page_size

    # ---------------------------------------------------------------- entry point

    async def handle(self, args: list[tuple[str, str]], *, now: datetime | None = None) -> str:
        """Answer one request given its arguments (query string or form pairs, repeats kept)."""
        now = now or datetime.now(UTC)
        request_attrs: dict[str, str] = {}
        try:
            verb, params = self._validate(args)
            request_attrs = {"verb": verb, **params}
            body = await getattr(self, f"_{verb}")(params)
        except OaiError as err:
            if err.code in ("badVerb", "badArgument"):
                request_attrs = {}
            body = f"<error code={quoteattr(err.code)}>{escape(err.message)}</error>"
        attrs = "".join(f" {k}={quoteattr(v)}" for k, v in request_attrs.items())
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI}" '
            f'xsi:schemaLocation="{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd">'
            f"<responseDate>{_iso(now)}</responseDate>"
            f"<request{attrs}>{escape(self.info.base_url)}</request>{body}</OAI-PMH>"
        )

    def _validate(self, args: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
        verbs = [v for k, v in args if k == "verb"]
        if len(verbs) != 1 or verbs[0] not in VERBS:
            raise OaiError("badVerb", "Missing, repeated or illegal verb")
        verb = verbs[0]
        params: dict[str, str] = {}
        for key, value in args:
            if key == "verb":
                continue
            if key in params:
                raise OaiError("badArgument", f"Repeated argument {key}")
            params[key] = value
        required, optional = _ALLOWED[verb]
        illegal = set(params) - required - optional
        if illegal:
            raise OaiError("badArgument", f"Illegal argument(s): {', '.join(sorted(illegal))}")
        if "resumptionToken" in params:
            if len(params) != 1:
                raise OaiError("badArgument", "resumptionToken is an exclusive argument")
            return verb, params
        missing = required - set(params)
        if missing:
            raise OaiError("badArgument", f"Missing argument(s): {', '.join(sorted(missing))}")
        return verb, params

    # ---------------------------------------------------------------- verbs

    async def _Identify(self, _: dict[str, str]) -> str:
        i = self.info
        return (
            f"<Identify><repositoryName>{escape(i.name)}</repositoryName>"
            f"<baseURL>{escape(i.base_url)}</baseURL><protocolVersion>2.0</protocolVersion>"
            f"<adminEmail>{escape(i.admin_email)}</adminEmail>"
            f"<earliestDatestamp>{_iso(i.earliest_datestamp)}</earliestDatestamp>"
            f"<deletedRecord>{i.deleted_record}</deletedRecord>"
            "<granularity>YYYY-MM-DDThh:mm:ssZ</granularity>"
            '<description><oai-identifier xmlns="http://www.openarchives.org/OAI/2.0/oai-identifier" '
            f'xsi:schemaLocation="http://www.openarchives.org/OAI/2.0/oai-identifier '
            'http://www.openarchives.org/OAI/2.0/oai-identifier.xsd">'
            f"<scheme>oai</scheme><repositoryIdentifier>{escape(i.repository_identifier)}</repositoryIdentifier>"
            "<delimiter>:</delimiter>"
            f"<sampleIdentifier>oai:{escape(i.repository_identifier)}:1</sampleIdentifier>"
            "</oai-identifier></description></Identify>"
        )

    async def _ListMetadataFormats(self, params: dict[str, str]) -> str:
        prefixes: Sequence[str] = list(self.formats)
        if "identifier" in params:
            found = await self.source.formats_for(self._local_id(params["identifier"]))
            if found is None:
                raise OaiError("idDoesNotExist", "No such identifier")
            prefixes = [p for p in found if p in self.formats]
            if not prefixes:
                raise OaiError("noMetadataFormats", "No metadata formats for this item")
        items = "".join(
            f"<metadataFormat><metadataPrefix>{f.prefix}</metadataPrefix><schema>{f.schema}</schema>"
            f"<metadataNamespace>{f.namespace}</metadataNamespace></metadataFormat>"
            for f in (self.formats[p] for p in prefixes)
        )
        return f"<ListMetadataFormats>{items}</ListMetadataFormats>"

    async def _ListSets(self, params: dict[str, str]) -> str:
        if "resumptionToken" in params:
            raise OaiError("badResumptionToken", "ListSets is not paged")
        sets = await self.source.sets()
        if not sets:
            raise OaiError("noSetHierarchy", "This repository does not support sets")
        items = "".join(
            f"<set><setSpec>{escape(s.spec)}</setSpec><setName>{escape(s.name)}</setName></set>" for s in sets
        )
        return f"<ListSets>{items}</ListSets>"

    async def _GetRecord(self, params: dict[str, str]) -> str:
        prefix = self._prefix(params["metadataPrefix"])
        local_id = self._local_id(params["identifier"])
        formats = await self.source.formats_for(local_id)
        if formats is None:
            raise OaiError("idDoesNotExist", "No such identifier")
        if prefix not in formats:
            raise OaiError("cannotDisseminateFormat", "This record is not available in that format")
        record = await self.source.record(local_id, prefix)
        if record is None:
            raise OaiError("idDoesNotExist", "No such identifier")
        return f"<GetRecord>{self._record_xml(record, prefix)}</GetRecord>"

    async def _ListIdentifiers(self, params: dict[str, str]) -> str:
        return await self._list(params, with_metadata=False)

    async def _ListRecords(self, params: dict[str, str]) -> str:
        return await self._list(params, with_metadata=True)

    # ---------------------------------------------------------------- listing

    async def _list(self, params: dict[str, str], *, with_metadata: bool) -> str:
        state: dict[str, Any]
        if "resumptionToken" in params:
            state = self._read_token(params["resumptionToken"])
        else:
            state = {k: params[k] for k in ("metadataPrefix", "from", "until", "set") if k in params}
            state["cursor"] = 0
        prefix = self._prefix(state["metadataPrefix"])
        start, until = self._range(state.get("from"), state.get("until"))
        set_spec = state.get("set")
        if set_spec is not None and not await self.source.sets():
            raise OaiError("noSetHierarchy", "This repository does not support sets")
        after = (
            (datetime.fromisoformat(state["after_ts"]), state["after_id"]) if "after_ts" in state else None
        )
        headers, total = await self.source.headers(
            start=start, until=until, set_spec=set_spec, after=after, limit=self.page_size + 1
        )
        if not headers:
            if after is None:
                raise OaiError("noRecordsMatch", "No records match the request")
            # the list shrank after the token was issued: end it cleanly
            return f"<{self._list_name(with_metadata)}>{self._token_xml(None, state, total)}</{self._list_name(with_metadata)}>"
        more = len(headers) > self.page_size
        page = headers[: self.page_size]
        if with_metadata:
            items = "".join(self._record_xml(r, prefix) for r in await self.source.records(page, prefix))
        else:
            items = "".join(self._header_xml(h) for h in page)
        cursor = int(state.get("cursor", 0))
        token = None
        if more:
            last = page[-1]
            token = {
                **state,
                "cursor": cursor + len(page),
                "after_ts": last.datestamp.isoformat(),
                "after_id": last.local_id,
            }
        resumption = self._token_xml(token, state, total) if (more or after is not None) else ""
        name = self._list_name(with_metadata)
        return f"<{name}>{items}{resumption}</{name}>"

    @staticmethod
    def _list_name(with_metadata: bool) -> str:
        return "ListRecords" if with_metadata else "ListIdentifiers"

    def _token_xml(self, token: dict[str, Any] | None, state: dict[str, Any], total: int) -> str:
        size = total
        if token is None:
            return f'<resumptionToken completeListSize="{size}" cursor="{state.get("cursor", 0)}"/>'
        return (
            f'<resumptionToken completeListSize="{size}" cursor="{state.get("cursor", 0)}">'
            f"{escape(self._write_token(token))}</resumptionToken>"
        )

    # ---------------------------------------------------------------- pieces

    def _prefix(self, prefix: str) -> str:
        if prefix not in self.formats:
            raise OaiError("cannotDisseminateFormat", f"Unsupported metadataPrefix {prefix}")
        return prefix

    def _local_id(self, identifier: str) -> str:
        head = f"oai:{self.info.repository_identifier}:"
        if not identifier.startswith(head) or len(identifier) == len(head):
            raise OaiError("idDoesNotExist", "No such identifier")
        return identifier[len(head) :]

    def _identifier(self, local_id: str) -> str:
        return f"oai:{self.info.repository_identifier}:{local_id}"

    @staticmethod
    def _parse_date(value: str, *, end: bool) -> tuple[datetime, str]:
        if _SECOND.match(value):
            try:
                return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC), "second"
            except ValueError:
                pass
        elif _DAY.match(value):
            try:
                day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                pass
            else:
                return (day.replace(hour=23, minute=59, second=59) if end else day), "day"
        raise OaiError("badArgument", f"Illegal date {value!r}")

    def _range(self, start: object, until: object) -> tuple[datetime | None, datetime | None]:
        a = self._parse_date(str(start), end=False) if start else None
        b = self._parse_date(str(until), end=True) if until else None
        if a and b:
            if a[1] != b[1]:
                raise OaiError("badArgument", "from and until must have the same granularity")
            if a[0] > b[0]:
                raise OaiError("badArgument", "from is after until")
        return (a[0] if a else None), (b[0] if b else None)

    def _header_xml(self, h: OaiHeader) -> str:
        status = ' status="deleted"' if h.deleted else ""
        sets = "".join(f"<setSpec>{escape(s)}</setSpec>" for s in h.sets)
        return (
            f"<header{status}><identifier>{escape(self._identifier(h.local_id))}</identifier>"
            f"<datestamp>{_iso(h.datestamp)}</datestamp>{sets}</header>"
        )

    def _record_xml(self, record: OaiRecord, prefix: str) -> str:
        header = self._header_xml(record.header)
        if record.header.deleted:
            return f"<record>{header}</record>"
        return f"<record>{header}<metadata>{record.metadata[prefix]}</metadata></record>"

    def _write_token(self, state: dict[str, Any]) -> str:
        payload = base64.urlsafe_b64encode(json.dumps(state, sort_keys=True).encode()).decode().rstrip("=")
        signature = hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{payload}.{signature}"

    def _read_token(self, token: str) -> dict[str, Any]:
        try:
            payload, signature = token.rsplit(".", 1)
            expected = hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()[:32]
            if not hmac.compare_digest(signature, expected):
                raise ValueError("signature")
            state = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            if not isinstance(state, dict) or "metadataPrefix" not in state:
                raise ValueError("shape")
            return state
        except (ValueError, TypeError, json.JSONDecodeError) as exc:
            raise OaiError("badResumptionToken", "Invalid or expired resumptionToken") from exc
