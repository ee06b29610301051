"""docs/deployment.md's nginx block, run with Debian's nginx in front of a
live test server (issue 14): the private files are reachable only through
the app's permission check (X-Accel-Redirect to an ``internal`` location),
never under /media/ nor by asking the internal location directly, and a
5 MB photo upload is not refused with 413.

The block is taken from the document itself; only the port, the
certificate, the upstream and the folders are swapped, each of them checked
to be there, so a change of the document is a change of what is tested."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None)
PDF = b"%PDF-1.7 every suggestion and every opinion"
PHOTO = b"\xff\xd8\xff a photo of the visit"
MB = 1024 * 1024

OPENSSL = shutil.which("openssl")

if NGINX is None or OPENSSL is None:
    if os.environ.get("CI"):
        pytest.fail("nginx or openssl is not installed (scripts/ensure-system-packages.sh installs them)")
    pytest.skip("nginx or openssl is not installed (apt-get install nginx-light openssl)", allow_module_level=True)


def documented_site() -> str:
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    sites = [block for block in re.findall(r"```nginx\n(.*?)```", text, re.S) if "server {" in block]
    assert len(sites) == 1, "docs/deployment.md should hold exactly one nginx server block"
    return sites[0]


def _swap(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} is no longer in docs/deployment.md's nginx block"
    return text.replace(old, new)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def nginx(tmp_path, live_server, settings):
    """nginx on a free port with the documented block; yields the port."""
    media, private = tmp_path / "media", tmp_path / "private"
    media.mkdir()
    settings.MEDIA_ROOT = media
    settings.PRIVATE_MEDIA_ROOT = private
    settings.PRIVATE_MEDIA_ACCEL_PREFIX = "/private-media/"
    work = tmp_path / "nginx"
    work.mkdir()
    subprocess.run(
        [OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-keyout", str(work / "key.pem"), "-out", str(work / "cert.pem")],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    port = _free_port()
    site = documented_site()
    site = _swap(site, "listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;")
    site = _swap(site, "/etc/ssl/tongtong/fullchain.pem", str(work / "cert.pem"))
    site = _swap(site, "/etc/ssl/tongtong/privkey.pem", str(work / "key.pem"))
    site = _swap(site, "http://127.0.0.1:8000", live_server.url)
    site = _swap(site, "/srv/tongtong/var/private/", f"{private}/")
    temp = "".join(
        f"{kind}_temp_path {work / kind};\n" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (work / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\ndaemon off;\npid {work / 'nginx.pid'};\nerror_log {work / 'error.log'};\n"
        + "events { worker_connections 64; }\n"
        + f"http {{\ninclude /etc/nginx/mime.types;\naccess_log off;\n{temp}{site}\n}}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-e", str(work / "error.log"), "-p", str(work), "-c", str(work / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log = (work / "error.log").read_text() if (work / "error.log").exists() else ""
                    pytest.fail(f"nginx did not start: {process.stderr.read().decode()} {log}")
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _get(port, path, *, method="GET", cookie=None, body=None, headers=None):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    sent = {"Host": "localhost", **(headers or {})}
    if cookie:
        sent["Cookie"] = cookie
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _session_cookie(user, settings) -> str:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@pytest.fixture
def batch(transactional_db):
    from visits.models import CardBatch

    done = CardBatch.objects.create(status=CardBatch.Status.DONE, total=6, done=6, finished_at=timezone.now())
    done.pdf.save("all-cards-20261203-0940-1.pdf", ContentFile(PDF))
    return done


def test_private_files_leave_only_through_the_app_and_its_permission_check(
    nginx, batch, secretariat_user, department_user, settings
):
    port = nginx
    secretariat = _session_cookie(secretariat_user, settings)
    roads = _session_cookie(department_user, settings)
    download = reverse("staff_cards:batch_download", kwargs={"pk": batch.pk})

    # The secretariat gets the file: the app checks, nginx sends it (X-Accel-Redirect).
    status, headers, body = _get(port, download, cookie=secretariat)
    assert status == 200
    assert body == PDF
    assert "attachment" in headers["Content-Disposition"]
    assert "X-Accel-Redirect" not in headers  # nginx consumes it

    # A department's staff and anonymous visitors do not.
    status, _headers, body = _get(port, download, cookie=roads)
    assert status == 403 and PDF not in body
    status, headers, body = _get(port, download)
    assert status == 302 and PDF not in body

    # Nothing private under /media/: neither the new name nor the old public one.
    old_name = f"cards/all-cards-20261203-0940-{batch.pk}.pdf"
    # (A "/media/../" path is not tried here: nginx hands it to the upstream
    # unchanged, and the test server's own media handler — not the app —
    # answers it; with DEBUG=0 the app has no /media/ URL at all.)
    for path in (f"/media/{batch.pdf.name}", f"/media/{old_name}"):
        status, _headers, body = _get(port, path, cookie=secretariat)
        assert status in (400, 404), path
        assert PDF not in body

    # The internal location cannot be asked for directly, even by the secretariat.
    status, _headers, body = _get(port, f"/private-media/{batch.pdf.name}", cookie=secretariat)
    assert status == 404 and PDF not in body


@pytest.fixture
def visit_photo(transactional_db):
    """A photo of a visit whose record is not published yet."""
    import datetime as dt

    from scheduling.models import Neighborhood, Official
    from scheduling.services import official_create
    from visits.models import FieldVisit, VisitPhoto

    start = timezone.now() + dt.timedelta(days=3)
    visit = FieldVisit.objects.create(
        neighborhood=Neighborhood.objects.create(code="N01", name="중앙동"),
        official=official_create(name="김시장", title="시장", rank=Official.Rank.MAYOR),
        start=start,
        end=start + dt.timedelta(hours=2),
    )
    photo = VisitPhoto(visit=visit)
    photo.image.save("visit-1.jpg", ContentFile(PHOTO))
    return photo


def test_photos_leave_through_the_app_public_once_published(nginx, visit_photo, secretariat_user, settings):
    """Photos are private files too: nginx sends one only after the app's
    check, to anyone once its record is published; /media/ has none."""
    port = nginx
    url = visit_photo.get_absolute_url()
    status, _headers, body = _get(port, url)
    assert status == 404 and PHOTO not in body
    status, headers, body = _get(port, url, cookie=_session_cookie(secretariat_user, settings))
    assert status == 200 and body == PHOTO
    assert headers["Content-Type"] == "image/jpeg" and "X-Accel-Redirect" not in headers

    from visits.models import FieldVisit

    # Held, shown on the public pages and its record completed: the results are published.
    FieldVisit.objects.filter(pk=visit_photo.visit_id).update(
        status=FieldVisit.Status.HELD, is_published=True, results_published_at=timezone.now()
    )
    status, headers, body = _get(port, url)
    assert status == 200 and body == PHOTO
    assert headers["Cache-Control"] == "public, max-age=300"

    for path in (f"/media/{visit_photo.image.name}", f"/private-media/{visit_photo.image.name}"):
        status, _headers, body = _get(port, path)
        assert status == 404 and PHOTO not in body, path


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = "----tongtong-upload-test"
    body = (
        (
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="caption"\r\n\r\n현장 사진\r\n'
            f"--{boundary}\r\n"
            'Content-Disposition: form-data; name="image"; filename="photo.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + b"\0" * size
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_5_mb_photo_upload_reaches_the_app(nginx, secretariat_user, settings):
    """The photo forms allow 5 MB: the request passes nginx (the app answers
    it, here 403 for the missing CSRF token); a body past the documented
    limit is refused by nginx with 413."""
    port = nginx
    cookie = _session_cookie(secretariat_user, settings)
    url = reverse("staff_visit_records:visit_photo_add", kwargs={"visit_pk": 1})

    body, content_type = _multipart(5 * MB)
    status, _headers, _body = _get(port, url, method="POST", cookie=cookie, body=body,
                                   headers={"Content-Type": content_type})  # fmt: skip
    assert status != 413
    assert status == 403  # Django's CSRF answer: the body got through to the app

    body, content_type = _multipart(7 * MB)
    status, _headers, _body = _get(port, url, method="POST", cookie=cookie, body=body,
                                   headers={"Content-Type": content_type})  # fmt: skip
    assert status == 413
