"""Local accounts and clients for the embedded identity provider (the gateway's identity store).

Its own small schema in its own SQLite database, created with ``metadata.create_all``:

``accounts``        people who sign in with a password (argon2id hashes, never plaintext)
``clients``         agency systems using OAuth2 client credentials (argon2id secret hashes)
``refresh_tokens``  opaque refresh tokens, stored as SHA-256 digests, rotated on every use

Brute force is slowed by :class:`LockoutPolicy`: after ``max_failures`` consecutive wrong
passwords an account is locked for ``lock_seconds``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import re
import secrets
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import JSON, Boolean, DateTime, Integer, MetaData, String, delete, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from pusip_kit.auth.subject import SecurityLevel
from pusip_kit.errors import Conflict, NotFound, Unauthorized, Unprocessable

# -- policy as data ---------------------------------------------------------------------------

LOCKOUT_MAX_FAILURES = 5
"""Consecutive wrong passwords before an account is locked."""
LOCKOUT_SECONDS = 300
"""How long a locked account stays locked."""
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 1024
CLIENT_SECRET_BYTES = 32
REFRESH_TOKEN_BYTES = 48
REFRESH_TOKEN_PREFIX = "pusip_rt_"  # noqa: S105 - a marker prefix, not a secret
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,149}$")
CLIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,99}$")


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = LOCKOUT_MAX_FAILURES
    lock_seconds: int = LOCKOUT_SECONDS


# -- schema -----------------------------------------------------------------------------------


def _utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores naive UTC (SQLite keeps no zone), always hands back an aware UTC datetime."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class IdentityBase(DeclarativeBase):
    metadata = MetaData()


class Account(IdentityBase):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True, index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(320))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit: Mapped[str | None] = mapped_column(String(100))
    clearance: Mapped[str] = mapped_column(String(20), default=SecurityLevel.BIASA.value)
    access_category: Mapped[str | None] = mapped_column(String(100))
    branches: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_attempts: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow, onupdate=_utcnow)


class Client(IdentityBase):
    __tablename__ = "clients"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the service account's subject
    client_id: Mapped[str] = mapped_column(String(100), unique=True, index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    secret_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    unit: Mapped[str | None] = mapped_column(String(100))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow, onupdate=_utcnow)


class RefreshToken(IdentityBase):
    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(36), index=True)
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    client_id: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(1000), default="")
    auth_time: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    session_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_utcnow)


# -- plain views handed out by the store ------------------------------------------------------


@dataclass(frozen=True)
class AccountInfo:
    id: str
    username: str
    display_name: str | None
    email: str | None
    roles: tuple[str, ...]
    unit: str | None
    clearance: SecurityLevel
    access_category: str | None
    branches: tuple[str, ...]
    active: bool
    locked_until: datetime | None
    created_at: datetime
    last_login_at: datetime | None

    @classmethod
    def of(cls, a: Account) -> AccountInfo:
        return cls(
            id=a.id,
            username=a.username,
            display_name=a.display_name,
            email=a.email,
            roles=tuple(a.roles or ()),
            unit=a.unit,
            clearance=SecurityLevel(a.clearance),
            access_category=a.access_category,
            branches=tuple(a.branches or ()),
            active=a.active,
            locked_until=a.locked_until,
            created_at=a.created_at,
            last_login_at=a.last_login_at,
        )


@dataclass(frozen=True)
class ClientInfo:
    id: str
    client_id: str
    name: str | None
    roles: tuple[str, ...]
    unit: str | None
    scopes: tuple[str, ...]
    active: bool
    created_at: datetime

    @classmethod
    def of(cls, c: Client) -> ClientInfo:
        return cls(
            id=c.id,
            client_id=c.client_id,
            name=c.name,
            roles=tuple(c.roles or ()),
            unit=c.unit,
            scopes=tuple(c.scopes or ()),
            active=c.active,
            created_at=c.created_at,
        )


@dataclass(frozen=True)
class RefreshGrant:
    """What a consumed refresh token stood for."""

    account_id: str
    client_id: str
    scope: str
    family_id: str
    auth_time: datetime


# -- refusals ---------------------------------------------------------------------------------


class LoginRefused(Unauthorized):
    """A sign-in, client authentication or refresh was refused.

    ``oauth_error`` is the RFC 6749 error code the token endpoint reports
    (``invalid_grant`` or ``invalid_client``); ``code`` is ours.
    """

    def __init__(
        self,
        code: str,
        message: str,
        message_en: str,
        *,
        oauth_error: str = "invalid_grant",
        retry_after: int | None = None,
    ) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        super().__init__(message, message_en, code=code, headers=headers)
        self.oauth_error = oauth_error
        self.retry_after = retry_after


def _invalid_credentials() -> LoginRefused:
    return LoginRefused(
        "invalid_credentials",
        "Nama pengguna atau kata sandi salah",
        "Invalid username or password",
    )


def _locked(retry_after: int) -> LoginRefused:
    minutes = max(1, (retry_after + 59) // 60)
    return LoginRefused(
        "account_locked",
        f"Akun dikunci sementara karena terlalu banyak percobaan masuk yang gagal; "
        f"coba lagi dalam {minutes} menit",
        f"Account temporarily locked after too many failed sign-in attempts; try again in {minutes} min",
        retry_after=retry_after,
    )


def _disabled() -> LoginRefused:
    return LoginRefused("account_disabled", "Akun dinonaktifkan", "Account is disabled")


def _invalid_client() -> LoginRefused:
    return LoginRefused(
        "invalid_client",
        "Klien tidak dikenal atau rahasia klien salah",
        "Unknown client or wrong client secret",
        oauth_error="invalid_client",
    )


def _invalid_refresh(detail_id: str, detail_en: str) -> LoginRefused:
    return LoginRefused(
        "invalid_refresh_token",
        f"Token penyegaran tidak sah: {detail_id}",
        f"Invalid refresh token: {detail_en}",
    )


# -- helpers ----------------------------------------------------------------------------------


class _Unset:
    pass


UNSET: Any = _Unset()


def _clean_list(values: Iterable[str] | str | None) -> list[str]:
    if values is None:
        return []
    if isinstance(values, str):
        values = [values]
    seen: dict[str, None] = {}
    for v in values:
        v = str(v).strip()
        if v:
            seen.setdefault(v, None)
    return list(seen)


def normalise_username(username: str) -> str:
    return username.strip().lower()


def _check_username(username: str) -> str:
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise Unprocessable(
            "Nama pengguna harus 2–150 karakter: huruf kecil, angka, titik, garis bawah, '@' atau '-'",
            "Username must be 2-150 characters: lowercase letters, digits, '.', '_', '@' or '-'",
            code="invalid_username",
        )
    return name


def check_password_policy(password: str) -> None:
    if not isinstance(password, str) or len(password) < PASSWORD_MIN_LENGTH:
        raise Unprocessable(
            f"Kata sandi minimal {PASSWORD_MIN_LENGTH} karakter",
            f"Password must be at least {PASSWORD_MIN_LENGTH} characters",
            code="password_too_short",
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise Unprocessable(
            f"Kata sandi maksimal {PASSWORD_MAX_LENGTH} karakter",
            f"Password must be at most {PASSWORD_MAX_LENGTH} characters",
            code="password_too_long",
        )


def _clearance(value: SecurityLevel | str) -> str:
    try:
        return SecurityLevel(str(value).upper()).value
    except ValueError as exc:
        raise Unprocessable(
            f"Tingkat klasifikasi keamanan tidak dikenal: {value}",
            f"Unknown security clearance: {value}",
            code="invalid_clearance",
        ) from exc


def hash_refresh_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _account_not_found(username: str) -> NotFound:
    return NotFound(
        f"Akun '{username}' tidak ditemukan", f"Account '{username}' not found", code="account_not_found"
    )


def _client_not_found(client_id: str) -> NotFound:
    return NotFound(
        f"Klien '{client_id}' tidak ditemukan", f"Client '{client_id}' not found", code="client_not_found"
    )


# -- the store --------------------------------------------------------------------------------


class AccountStore:
    """Accounts, clients and refresh tokens of the embedded identity provider."""

    def __init__(
        self,
        engine: AsyncEngine | str,
        *,
        hasher: PasswordHasher | None = None,
        lockout: LockoutPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.engine = create_async_engine(engine) if isinstance(engine, str) else engine
        self._owns_engine = isinstance(engine, str)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        self.hasher = hasher or PasswordHasher()
        self.lockout = lockout or LockoutPolicy()
        self._clock = clock
        self._dummy_hash: str | None = None

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    async def create_all(self) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(IdentityBase.metadata.create_all)

    async def dispose(self) -> None:
        if self._owns_engine:
            await self.engine.dispose()

    # argon2 is deliberately slow: keep it off the event loop.
    async def _hash(self, secret: str) -> str:
        return await asyncio.to_thread(self.hasher.hash, secret)

    async def _verify(self, hashed: str, secret: str) -> bool:
        def run() -> bool:
            try:
                return self.hasher.verify(hashed, secret)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

        return await asyncio.to_thread(run)

    async def _burn_time(self, secret: str) -> None:
        """Verify against a dummy hash so unknown names cost as much as known ones."""
        if self._dummy_hash is None:
            self._dummy_hash = await self._hash(secrets.token_urlsafe(16))
        await self._verify(self._dummy_hash, secret)

    # -- accounts ---------------------------------------------------------------------------

    async def _account(self, session: AsyncSession, username: str) -> Account | None:
        result = await session.execute(
            select(Account).where(Account.username == normalise_username(username))
        )
        return result.scalar_one_or_none()

    async def create_account(
        self,
        username: str,
        password: str,
        *,
        display_name: str | None = None,
        email: str | None = None,
        roles: Iterable[str] = (),
        unit: str | None = None,
        clearance: SecurityLevel | str = SecurityLevel.BIASA,
        access_category: str | None = None,
        branches: Iterable[str] = (),
        active: bool = True,
    ) -> AccountInfo:
        name = _check_username(username)
        check_password_policy(password)
        account = Account(
            id=str(uuid.uuid4()),
            username=name,
            password_hash=await self._hash(password),
            display_name=display_name,
            email=email,
            roles=_clean_list(roles),
            unit=unit,
            clearance=_clearance(clearance),
            access_category=access_category,
            branches=_clean_list(branches),
            active=active,
            failed_attempts=0,
        )
        async with self.sessions() as session:
            session.add(account)
            try:
                await session.commit()
            except IntegrityError as exc:
                raise Conflict(
                    f"Nama pengguna '{name}' sudah dipakai",
                    f"Username '{name}' is already taken",
                    code="account_exists",
                ) from exc
            return AccountInfo.of(account)

    async def update_account(
        self,
        username: str,
        *,
        display_name: str | None = UNSET,
        email: str | None = UNSET,
        roles: Iterable[str] = UNSET,
        unit: str | None = UNSET,
        clearance: SecurityLevel | str = UNSET,
        access_category: str | None = UNSET,
        branches: Iterable[str] = UNSET,
        active: bool = UNSET,
    ) -> AccountInfo:
        async with self.sessions() as session:
            account = await self._account(session, username)
            if account is None:
                raise _account_not_found(username)
            if display_name is not UNSET:
                account.display_name = display_name
            if email is not UNSET:
                account.email = email
            if roles is not UNSET:
                account.roles = _clean_list(roles)
            if unit is not UNSET:
                account.unit = unit
            if clearance is not UNSET:
                account.clearance = _clearance(clearance)
            if access_category is not UNSET:
                account.access_category = access_category
            if branches is not UNSET:
                account.branches = _clean_list(branches)
            if active is not UNSET:
                account.active = bool(active)
                if active:
                    account.failed_attempts = 0
                    account.locked_until = None
                else:
                    await self._revoke_refresh_for(session, account.id)
            await session.commit()
            return AccountInfo.of(account)

    async def disable_account(self, username: str) -> AccountInfo:
        """Deactivate an account; its refresh tokens are revoked at once."""
        return await self.update_account(username, active=False)

    async def enable_account(self, username: str) -> AccountInfo:
        """Reactivate an account and clear any lockout."""
        return await self.update_account(username, active=True)

    async def set_password(self, username: str, password: str) -> None:
        """Replace the password, clear the lockout and revoke outstanding refresh tokens."""
        check_password_policy(password)
        hashed = await self._hash(password)
        async with self.sessions() as session:
            account = await self._account(session, username)
            if account is None:
                raise _account_not_found(username)
            account.password_hash = hashed
            account.password_changed_at = self.now()
            account.failed_attempts = 0
            account.locked_until = None
            await self._revoke_refresh_for(session, account.id)
            await session.commit()

    async def verify_password(self, username: str, password: str) -> AccountInfo:
        """Check a sign-in. Returns the account or raises :class:`LoginRefused`.

        Wrong passwords count towards the lockout; a correct one resets the count and, when
        the hasher's parameters changed since the hash was made, stores a fresh hash.
        """
        if not isinstance(password, str) or len(password) > PASSWORD_MAX_LENGTH:
            raise _invalid_credentials()
        async with self.sessions() as session:
            account = await self._account(session, username)
            if account is None:
                await self._burn_time(password)
                raise _invalid_credentials()
            now = self.now()
            if account.locked_until is not None and account.locked_until > now:
                raise _locked(int((account.locked_until - now).total_seconds()) + 1)
            if not await self._verify(account.password_hash, password):
                failures = (account.failed_attempts or 0) + 1
                values: dict[str, Any] = {"failed_attempts": failures}
                locked = failures >= self.lockout.max_failures
                if locked:
                    values = {
                        "failed_attempts": 0,
                        "locked_until": now + timedelta(seconds=self.lockout.lock_seconds),
                    }
                await session.execute(update(Account).where(Account.id == account.id).values(**values))
                await session.commit()
                if locked:
                    raise _locked(self.lockout.lock_seconds)
                raise _invalid_credentials()
            if not account.active:
                raise _disabled()
            if self.hasher.check_needs_rehash(account.password_hash):
                account.password_hash = await self._hash(password)
            account.failed_attempts = 0
            account.locked_until = None
            account.last_login_at = now
            await session.commit()
            return AccountInfo.of(account)

    async def get_account(self, username: str) -> AccountInfo | None:
        async with self.sessions() as session:
            account = await self._account(session, username)
            return AccountInfo.of(account) if account else None

    async def get_account_by_id(self, account_id: str) -> AccountInfo | None:
        async with self.sessions() as session:
            account = await session.get(Account, account_id)
            return AccountInfo.of(account) if account else None

    async def list_accounts(self, *, include_inactive: bool = True) -> list[AccountInfo]:
        stmt = select(Account).order_by(Account.username)
        if not include_inactive:
            stmt = stmt.where(Account.active.is_(True))
        async with self.sessions() as session:
            return [AccountInfo.of(a) for a in (await session.execute(stmt)).scalars()]

    async def password_hash_of(self, username: str) -> str | None:
        """The stored hash (for audits and tests: it must never be the plaintext)."""
        async with self.sessions() as session:
            account = await self._account(session, username)
            return account.password_hash if account else None

    # -- clients ----------------------------------------------------------------------------

    async def _client(self, session: AsyncSession, client_id: str) -> Client | None:
        result = await session.execute(select(Client).where(Client.client_id == client_id))
        return result.scalar_one_or_none()

    async def create_client(
        self,
        client_id: str,
        *,
        name: str | None = None,
        roles: Iterable[str] = (),
        unit: str | None = None,
        scopes: Iterable[str] = (),
    ) -> tuple[ClientInfo, str]:
        """Register an agency system. Returns the client and its secret, shown only this once."""
        if not CLIENT_ID_PATTERN.match(client_id):
            raise Unprocessable(
                "ID klien harus 2–100 karakter: huruf, angka, '.', '_' atau '-'",
                "Client id must be 2-100 characters: letters, digits, '.', '_' or '-'",
                code="invalid_client_id",
            )
        secret = secrets.token_urlsafe(CLIENT_SECRET_BYTES)
        client = Client(
            id=str(uuid.uuid4()),
            client_id=client_id,
            name=name,
            secret_hash=await self._hash(secret),
            roles=_clean_list(roles),
            unit=unit,
            scopes=_clean_list(scopes),
            active=True,
        )
        async with self.sessions() as session:
            session.add(client)
            try:
                await session.commit()
            except IntegrityError as exc:
                raise Conflict(
                    f"ID klien '{client_id}' sudah dipakai",
                    f"Client id '{client_id}' is already taken",
                    code="client_exists",
                ) from exc
            return ClientInfo.of(client), secret

    async def rotate_client_secret(self, client_id: str) -> str:
        secret = secrets.token_urlsafe(CLIENT_SECRET_BYTES)
        hashed = await self._hash(secret)
        async with self.sessions() as session:
            client = await self._client(session, client_id)
            if client is None:
                raise _client_not_found(client_id)
            client.secret_hash = hashed
            await session.commit()
        return secret

    async def update_client(
        self,
        client_id: str,
        *,
        name: str | None = UNSET,
        roles: Iterable[str] = UNSET,
        unit: str | None = UNSET,
        scopes: Iterable[str] = UNSET,
        active: bool = UNSET,
    ) -> ClientInfo:
        async with self.sessions() as session:
            client = await self._client(session, client_id)
            if client is None:
                raise _client_not_found(client_id)
            if name is not UNSET:
                client.name = name
            if roles is not UNSET:
                client.roles = _clean_list(roles)
            if unit is not UNSET:
                client.unit = unit
            if scopes is not UNSET:
                client.scopes = _clean_list(scopes)
            if active is not UNSET:
                client.active = bool(active)
            await session.commit()
            return ClientInfo.of(client)

    async def disable_client(self, client_id: str) -> ClientInfo:
        return await self.update_client(client_id, active=False)

    async def verify_client(self, client_id: str, secret: str) -> ClientInfo:
        """Authenticate an agency system; raises :class:`LoginRefused` (``invalid_client``)."""
        if not isinstance(secret, str) or not secret or len(secret) > PASSWORD_MAX_LENGTH:
            raise _invalid_client()
        async with self.sessions() as session:
            client = await self._client(session, client_id)
            if client is None:
                await self._burn_time(secret)
                raise _invalid_client()
            if not await self._verify(client.secret_hash, secret) or not client.active:
                raise _invalid_client()
            if self.hasher.check_needs_rehash(client.secret_hash):
                client.secret_hash = await self._hash(secret)
                await session.commit()
            return ClientInfo.of(client)

    async def get_client(self, client_id: str) -> ClientInfo | None:
        async with self.sessions() as session:
            client = await self._client(session, client_id)
            return ClientInfo.of(client) if client else None

    async def list_clients(self) -> list[ClientInfo]:
        async with self.sessions() as session:
            rows = await session.execute(select(Client).order_by(Client.client_id))
            return [ClientInfo.of(c) for c in rows.scalars()]

    # -- refresh tokens ---------------------------------------------------------------------

    @staticmethod
    async def _revoke_refresh_for(session: AsyncSession, account_id: str) -> None:
        await session.execute(delete(RefreshToken).where(RefreshToken.account_id == account_id))

    async def issue_refresh_token(
        self,
        account_id: str,
        client_id: str,
        scope: str,
        *,
        lifetime_seconds: int,
        session_max_seconds: int,
        family_id: str | None = None,
        auth_time: datetime | None = None,
        session_expires_at: datetime | None = None,
    ) -> tuple[str, int]:
        """A new opaque refresh token and its lifetime in seconds (capped by the session)."""
        now = self.now()
        token = REFRESH_TOKEN_PREFIX + secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
        session_end = session_expires_at or now + timedelta(seconds=session_max_seconds)
        expires_at = min(now + timedelta(seconds=lifetime_seconds), session_end)
        row = RefreshToken(
            token_hash=hash_refresh_token(token),
            family_id=family_id or str(uuid.uuid4()),
            account_id=account_id,
            client_id=client_id,
            scope=scope,
            auth_time=auth_time or now,
            expires_at=expires_at,
            session_expires_at=session_end,
        )
        async with self.sessions() as session:
            await session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))
            session.add(row)
            await session.commit()
        return token, max(0, int((expires_at - now).total_seconds()))

    async def consume_refresh_token(self, token: str) -> tuple[RefreshGrant, datetime]:
        """Use a refresh token once. Returns the grant and the session's end.

        A token presented a second time means it leaked: its whole family is revoked.
        """
        if not isinstance(token, str) or not token.startswith(REFRESH_TOKEN_PREFIX):
            raise _invalid_refresh("bentuk tidak dikenal", "unrecognised format")
        digest = hash_refresh_token(token)
        now = self.now()
        async with self.sessions() as session:
            row = await session.get(RefreshToken, digest)
            if row is None or not hmac.compare_digest(row.token_hash, digest):
                raise _invalid_refresh("tidak dikenal atau sudah dicabut", "unknown or revoked")
            if row.used_at is not None:
                await session.execute(delete(RefreshToken).where(RefreshToken.family_id == row.family_id))
                await session.commit()
                raise _invalid_refresh(
                    "sudah pernah dipakai; sesi dicabut", "already used; the session was revoked"
                )
            if row.expires_at <= now:
                raise _invalid_refresh("sudah kedaluwarsa", "expired")
            claimed = await session.execute(
                update(RefreshToken)
                .where(RefreshToken.token_hash == digest, RefreshToken.used_at.is_(None))
                .values(used_at=now)
            )
            if getattr(claimed, "rowcount", 1) != 1:  # a concurrent use won the race
                raise _invalid_refresh("sudah pernah dipakai", "already used")
            await session.commit()
            grant = RefreshGrant(
                account_id=row.account_id,
                client_id=row.client_id,
                scope=row.scope,
                family_id=row.family_id,
                auth_time=row.auth_time,
            )
            return grant, row.session_expires_at

    async def revoke_refresh_token(self, token: str) -> bool:
        """Revoke the token's whole family (sign-out). Returns whether anything was revoked."""
        if not isinstance(token, str) or not token.startswith(REFRESH_TOKEN_PREFIX):
            return False
        async with self.sessions() as session:
            row = await session.get(RefreshToken, hash_refresh_token(token))
            if row is None:
                return False
            await session.execute(delete(RefreshToken).where(RefreshToken.family_id == row.family_id))
            await session.commit()
            return True
