"""The README and docs stand on their own in a fresh clone: every file they point to
is in the repository."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Markdown links [text](target) and paths written as code, `like/this.md`.
LINK = re.compile(r"\]\(([^)#\s]+)[^)]*\)")
CODE_PATH = re.compile(r"`(\.\./[^`\s]+|[\w./-]+\.md)`")


def test_the_architecture_notes_are_linked_from_the_readme():
    assert "(docs/architecture.md)" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_every_file_a_document_points_to_is_in_the_repository(document):
    text = document.read_text()
    targets = LINK.findall(text) + CODE_PATH.findall(text)
    for target in targets:
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        path = (document.parent / target).resolve()
        assert path.is_relative_to(ROOT), f"{document.name} points outside the clone: {target}"
        assert path.exists(), f"{document.name} points to a missing file: {target}"
