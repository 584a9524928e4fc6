"""Passphrase encryption of a backup archive, as a stream: any size, little memory.

Why this and not gpg or age: `age -p` reads a passphrase only from a terminal (no cron),
and gpg hands passphrases to a gpg-agent daemon it starts and leaves running. The
`cryptography` package (pyca, pinned) is in-process and well kept; the format below is
age's STREAM construction (https://age-encryption.org/v1) with a scrypt key:

    magic "APMSEAL1" | log2(N) r p (1 byte each) | salt (16) | nonce prefix (7)
    | HMAC-SHA256 of all the above (32)
    | chunks: AES-256-GCM of 64 KiB of plaintext each (the last may be shorter or empty),
      nonce = prefix | chunk number (4 bytes) | 1 on the last chunk, else 0

scrypt gives 64 bytes: the first 32 encrypt, the last 32 sign the header, so a wrong
passphrase is told apart from a damaged archive. GCM authenticates every chunk; the
number in the nonce refuses reordered chunks, the last-chunk flag a truncated archive.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"APMSEAL1"
CHUNK = 64 * 1024
TAG = 16
# N = 2**17, r = 8: 128 MiB and about half a second, each backup and each restore;
# a guessed passphrase costs the same. A header asking for more than 2**20 is refused.
LOG_N, R, P = 17, 8, 1
MAX_LOG_N = 20
HEADER = struct.Struct(">8sBBB16s7s")


class SealError(Exception):
    """The archive cannot be decrypted; the message says why, in one line."""


class WrongPassphrase(SealError):
    pass


def _keys(passphrase: str, salt: bytes, log_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    derived = Scrypt(salt=salt, length=64, n=2**log_n, r=r, p=p).derive(passphrase.encode())
    return derived[:32], derived[32:]


def is_sealed(path: os.PathLike | str) -> bool:
    with open(path, "rb") as file:
        return file.read(len(MAGIC)) == MAGIC


class SealingWriter(io.RawIOBase):
    """A write-only file: what is written goes out encrypted to `out`; close() writes
    the last chunk (without it a reader knows the archive is incomplete)."""

    def __init__(self, out, passphrase: str, *, log_n: int = LOG_N) -> None:
        self._out = out
        salt, prefix = os.urandom(16), os.urandom(7)
        key, mac_key = _keys(passphrase, salt, log_n, R, P)
        header = HEADER.pack(MAGIC, log_n, R, P, salt, prefix)
        out.write(header + hmac.new(mac_key, header, hashlib.sha256).digest())
        self._aead, self._prefix = AESGCM(key), prefix
        self._buffer, self._counter = bytearray(), 0

    def writable(self) -> bool:
        return True

    def _emit(self, data: bytes, last: bool) -> None:
        nonce = self._prefix + struct.pack(">IB", self._counter, int(last))
        self._out.write(self._aead.encrypt(nonce, data, None))
        self._counter += 1

    def write(self, data) -> int:
        self._buffer += data
        # Keep at least one byte back: the last chunk must be the one close() writes.
        while len(self._buffer) > CHUNK:
            self._emit(bytes(self._buffer[:CHUNK]), last=False)
            del self._buffer[:CHUNK]
        return len(data)

    def close(self) -> None:
        # Not after a failed write (a full disk): the output is gone; `out` may be closed.
        if not self.closed and not self._out.closed:
            self._emit(bytes(self._buffer), last=True)
            self._buffer.clear()
        super().close()


class OpeningReader(io.RawIOBase):
    """A read-only file of the plaintext of a sealed archive. Raises WrongPassphrase
    at once (header check), SealError on the first damaged or missing chunk."""

    def __init__(self, source, passphrase: str) -> None:
        self._in = source
        raw = source.read(HEADER.size + 32)
        if len(raw) < HEADER.size + 32 or not raw.startswith(MAGIC):
            raise SealError("not an encrypted backup archive, or its header is cut short")
        magic, log_n, r, p, salt, prefix = HEADER.unpack(raw[: HEADER.size])
        if log_n > MAX_LOG_N or r > 32 or p > 4:
            raise SealError("the archive's header asks for an unreasonable key derivation")
        key, mac_key = _keys(passphrase, salt, log_n, r, p)
        expected = hmac.new(mac_key, raw[: HEADER.size], hashlib.sha256).digest()
        if not hmac.compare_digest(expected, raw[HEADER.size :]):
            raise WrongPassphrase("wrong passphrase (or the archive's header is damaged)")
        self._aead, self._prefix = AESGCM(key), prefix
        self._counter, self._plain, self._done = 0, b"", False
        self._next = source.read(CHUNK + TAG)

    def readable(self) -> bool:
        return True

    def _advance(self) -> None:
        block, self._next = self._next, self._in.read(CHUNK + TAG)
        last = not self._next
        if len(block) < TAG:
            raise SealError("the archive is incomplete (cut short)")
        nonce = self._prefix + struct.pack(">IB", self._counter, int(last))
        try:
            self._plain = self._aead.decrypt(nonce, block, None)
        except InvalidTag:
            what = "damaged or cut short" if last else "damaged"
            raise SealError(
                f"the archive is {what}: encrypted part {self._counter + 1} fails its check"
            ) from None
        self._counter += 1
        self._done = last

    def readinto(self, buffer) -> int:
        while not self._plain and not self._done:
            self._advance()
        size = min(len(buffer), len(self._plain))
        buffer[:size] = self._plain[:size]
        self._plain = self._plain[size:]
        return size
