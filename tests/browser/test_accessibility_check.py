"""The axe check every browser test calls fails on what it must, and skips only rules
that could never fail it."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

SERIOUS = """<!doctype html><html lang="th"><head><title>t</title></head><body><main>
<h1>หน้า</h1><input name="q"><p style="color:#bbb;background:#fff">จางเกินไป</p></main></body></html>"""
# Only moderate findings: no landmark, no <h1>, a skipped heading level.
MODERATE = """<!doctype html><html lang="th"><head><title>t</title></head><body>
<h3>หัวข้อ</h3><p>ข้อความ</p></body></html>"""


def test_a_missing_label_and_faint_text_fail_the_check(page, assert_accessible, accessibility):
    page.set_content(SERIOUS)
    with pytest.raises(AssertionError) as failed:
        assert_accessible(page)
    assert "label (critical)" in str(failed.value)
    assert "color-contrast (serious)" in str(failed.value)
    skipped = accessibility.options["rules"]
    assert "region" in skipped and "page-has-heading-one" in skipped
    assert "label" not in skipped and "color-contrast" not in skipped


def test_moderate_findings_do_not_fail_it(page, assert_accessible):
    page.set_content(MODERATE)
    assert_accessible(page)


class SlowStyles(BaseHTTPRequestHandler):
    """A page whose own stylesheet comes at once and whose framework's comes late: white
    text on a button, the button's dark background in the late one."""

    PAGE = b"""<!doctype html><html lang="th"><head><title>t</title>
<link rel="stylesheet" href="/late.css"><link rel="stylesheet" href="/own.css"></head>
<body><main><h1>\xe0\xb8\xab\xe0\xb8\x99\xe0\xb9\x89\xe0\xb8\xb2</h1>
<button type="button">\xe0\xb8\xad\xe0\xb8\xad\xe0\xb8\x81</button></main></body></html>"""

    def do_GET(self):
        if self.path == "/late.css":
            time.sleep(1)
            body, kind = b"button { background: #1d3557; border: 0; }", "text/css"
        elif self.path == "/own.css":
            body, kind = b"button { color: #fff; }", "text/css"
        else:
            body, kind = self.PAGE, "text/html; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_it_checks_the_page_once_its_styles_have_come(page, assert_accessible):
    # A click returns as soon as the next page's document has come (as `commit` here).
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowStyles)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page.goto(f"http://127.0.0.1:{server.server_port}/", wait_until="commit")
        assert_accessible(page)
        button = page.get_by_role("button")
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(29, 53, 87)"
    finally:
        server.shutdown()
        server.server_close()
