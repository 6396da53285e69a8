"""Sending a plain-text message: e-mail through an SMTP server (the standard library's
``smtplib``) and any Apprise URL (https://github.com/caronc/apprise: ``mailto://``,
``tgram://``, ``ntfy://``, ``json://host/path`` ...).

SMTP settings (environment or ``.streamlit/secrets.toml``, :func:`whoop.config.setting`):
``WHOOP_SMTP_HOST`` (required for e-mail), ``WHOOP_SMTP_PORT`` (default 587),
``WHOOP_SMTP_USER`` and ``WHOOP_SMTP_PASSWORD`` (both or neither), ``WHOOP_SMTP_FROM`` (default
the user, else ``whoop-dashboard@<host>``), ``WHOOP_SMTP_STARTTLS`` (default ``true``: upgrade
the connection with STARTTLS, RFC 3207, before logging in; ``false`` only for a server on the
same machine).

An Apprise URL embeds its service's credentials: it is kept encrypted at rest
(:func:`whoop.crypto.encrypt`), never logged and never put in an error message; Apprise's own
logger is silenced while it reads or sends a URL (the error raised says what went wrong).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from whoop.config import setting
from whoop.errors import ConfigError, InputError, WhoopError

log = logging.getLogger(__name__)
SMTP_TIMEOUT_S = 20.0


class DeliveryError(WhoopError):
    """A message could not be sent (the reason, never a password or an Apprise URL)."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where e-mail goes out. ``repr`` never shows the password."""

    host: str
    port: int = 587
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = ""
    starttls: bool = True


def smtp_settings() -> SmtpSettings | None:
    """The SMTP settings (module docstring), or None when ``WHOOP_SMTP_HOST`` is unset.

    Raises:
        ConfigError: a port that is not a number in 1-65535, a user without a password (or the
            reverse), or a STARTTLS value that is not true/false.
    """
    host = setting("WHOOP_SMTP_HOST")
    if not host:
        return None
    raw_port = setting("WHOOP_SMTP_PORT") or "587"
    try:
        port = int(raw_port)
    except ValueError:
        port = 0
    if not 1 <= port <= 65535:
        raise ConfigError("WHOOP_SMTP_PORT is a port number from 1 to 65535")
    user, password = setting("WHOOP_SMTP_USER"), setting("WHOOP_SMTP_PASSWORD")
    if bool(user) != bool(password):
        raise ConfigError("set both WHOOP_SMTP_USER and WHOOP_SMTP_PASSWORD, or neither")
    tls = (setting("WHOOP_SMTP_STARTTLS", "true") or "").strip().lower()
    if tls not in ("true", "false", "1", "0", "yes", "no"):
        raise ConfigError("WHOOP_SMTP_STARTTLS is true or false")
    sender = setting("WHOOP_SMTP_FROM") or user or f"whoop-dashboard@{host}"
    return SmtpSettings(host, port, user, password, sender, tls in ("true", "1", "yes"))


def check_email(address: str | None) -> str | None:
    """``address`` stripped, None when empty.

    Raises:
        InputError: not one ``name@domain`` address (a line break or a comma would add headers or
            recipients).
    """
    clean = (address or "").strip()
    if not clean:
        return None
    local, _, domain = clean.rpartition("@")
    if (not local or "." not in domain or len(clean) > 254
            or any(c.isspace() or c in ",;<>\"'()[]\\" or not c.isprintable() for c in clean)):
        raise InputError("an e-mail address is one name@domain address")
    return clean


def send_email(smtp: SmtpSettings | None, to: str, subject: str, body: str) -> None:
    """Send one plain-text e-mail (UTF-8) to ``to``.

    Raises:
        ConfigError: no SMTP settings (``WHOOP_SMTP_HOST`` unset).
        DeliveryError: the server could not be reached, refused the login or the message (its
            reply is given; the password never is).
    """
    if smtp is None:
        raise ConfigError("e-mail needs an SMTP server: set WHOOP_SMTP_HOST (and WHOOP_SMTP_PORT, "
                          "WHOOP_SMTP_USER, WHOOP_SMTP_PASSWORD, WHOOP_SMTP_FROM)")
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = smtp.sender, to, subject
    msg["Date"], msg["Message-ID"] = formatdate(localtime=False), make_msgid(domain="whoop-dashboard")
    msg.set_content(body)
    try:
        with smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT_S) as server:
            if smtp.starttls:
                server.starttls(context=ssl.create_default_context())
            if smtp.user:
                server.login(smtp.user, smtp.password or "")
            server.send_message(msg)
    except smtplib.SMTPAuthenticationError:
        raise DeliveryError(f"the SMTP server {smtp.host}:{smtp.port} refused the login of "
                            f"WHOOP_SMTP_USER") from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(f"the SMTP server {smtp.host}:{smtp.port} does not offer STARTTLS "
                            f"(set WHOOP_SMTP_STARTTLS=false only for a server on this machine)") from None
    except smtplib.SMTPResponseException as exc:
        reply = (exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes)
                 else exc.smtp_error)
        raise DeliveryError(f"the SMTP server {smtp.host}:{smtp.port} refused the e-mail: "
                            f"{exc.smtp_code} {reply}") from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError(f"the SMTP server {smtp.host}:{smtp.port} refused the recipient") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"cannot send e-mail through {smtp.host}:{smtp.port}: "
                            f"{getattr(exc, 'strerror', None) or exc.__class__.__name__}") from None


@contextmanager
def _quiet_apprise(url: str) -> Iterator[None]:
    """Apprise's logger silenced (its lines may quote parts of the URL, which embed secrets); the
    URL is also remembered by the log filter of :mod:`whoop.crypto`."""
    from whoop.crypto import RedactingFilter, remember_secret

    remember_secret(url)
    logger = logging.getLogger("apprise")
    level, filt = logger.level, RedactingFilter()
    logger.setLevel(logging.CRITICAL + 1)
    logger.addFilter(filt)
    try:
        yield
    finally:
        logger.removeFilter(filt)
        logger.setLevel(level)


def check_apprise_url(url: str | None) -> str | None:
    """``url`` stripped, None when empty.

    Raises:
        InputError: Apprise does not know the URL's scheme or cannot read it (the message does
            not repeat the URL).
    """
    import apprise

    clean = (url or "").strip()
    if not clean:
        return None
    with _quiet_apprise(clean):
        ok = apprise.Apprise().add(clean)
    if not ok:
        raise InputError("Apprise cannot use that URL: check its scheme and parts "
                         "(see https://github.com/caronc/apprise/wiki)")
    return clean


def send_apprise(url: str, subject: str, body: str) -> None:
    """Send ``body`` with title ``subject`` to one Apprise URL, as plain text.

    Raises:
        InputError: Apprise cannot use the URL.
        DeliveryError: the service did not take the message.
    """
    import apprise

    check_apprise_url(url)
    target = apprise.Apprise()
    with _quiet_apprise(url):
        target.add(url)
        ok = target.notify(body=body, title=subject, body_format=apprise.NotifyFormat.TEXT)
    if not ok:
        raise DeliveryError("the Apprise target did not take the message (check the service and its "
                            "URL in Settings)")
