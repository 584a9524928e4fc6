"""The encrypted archive format (coordination/sealed.py), at a cheap scrypt cost: the
cost is read from the header, so what is tested is what a backup writes."""

import io
import os

import pytest

from coordination import sealed

CHEAP = 10  # 2**10: milliseconds; backups use sealed.LOG_N


def seal(data: bytes, passphrase: str = "ม้าลาย") -> bytes:
    out = io.BytesIO()
    writer = sealed.SealingWriter(out, passphrase, log_n=CHEAP)
    writer.write(data[:1000])
    writer.write(data[1000:])
    writer.close()
    return out.getvalue()


def unseal(blob: bytes, passphrase: str = "ม้าลาย") -> bytes:
    return sealed.OpeningReader(io.BytesIO(blob), passphrase).read()


@pytest.mark.parametrize("size", [0, 1, sealed.CHUNK, 3 * sealed.CHUNK, 3 * sealed.CHUNK + 5])
def test_what_is_sealed_opens_whole_at_any_size(size):
    data = os.urandom(size)
    blob = seal(data)
    assert unseal(blob) == data
    assert size < 64 or data[:64] not in blob


def test_a_wrong_passphrase_is_told_apart_from_damage():
    blob = seal(b"x" * 100)
    with pytest.raises(sealed.WrongPassphrase, match="wrong passphrase"):
        unseal(blob, "ม้าลาย ")


def test_a_changed_byte_is_refused_with_the_part_it_is_in():
    blob = bytearray(seal(os.urandom(3 * sealed.CHUNK + 5)))
    blob[sealed.HEADER.size + 32 + sealed.CHUNK + sealed.TAG + 10] ^= 1  # in the second part
    with pytest.raises(sealed.SealError, match="damaged: encrypted part 2 fails"):
        unseal(bytes(blob))


def test_parts_in_another_order_are_refused():
    blob = seal(os.urandom(3 * sealed.CHUNK + 5))
    start, size = sealed.HEADER.size + 32, sealed.CHUNK + sealed.TAG
    first, second = blob[start : start + size], blob[start + size : start + 2 * size]
    swapped = blob[:start] + second + first + blob[start + 2 * size :]
    with pytest.raises(sealed.SealError, match="damaged: encrypted part 1"):
        unseal(swapped)


@pytest.mark.parametrize("parts", [1, 2, 3])
def test_an_archive_cut_at_a_part_boundary_is_refused(parts):
    blob = seal(os.urandom(3 * sealed.CHUNK + 5))
    with pytest.raises(sealed.SealError, match="cut short"):
        unseal(blob[: sealed.HEADER.size + 32 + parts * (sealed.CHUNK + sealed.TAG)])


def test_an_archive_cut_inside_a_part_or_its_header_is_refused():
    blob = seal(os.urandom(2 * sealed.CHUNK))
    with pytest.raises(sealed.SealError, match="cut short"):
        unseal(blob[:-7])
    with pytest.raises(sealed.SealError, match="header is cut short"):
        unseal(blob[:20])


def test_a_header_asking_for_a_huge_key_derivation_is_refused():
    blob = bytearray(seal(b"x"))
    blob[len(sealed.MAGIC)] = 30  # 2**30 * 128 bytes of memory
    with pytest.raises(sealed.SealError, match="unreasonable"):
        unseal(bytes(blob))
