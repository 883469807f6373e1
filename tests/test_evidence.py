"""Evidence photos and documents go out only through the view that checks scope: never from a
path under MEDIA_ROOT (in any mode), and their stored names cannot be guessed."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from taizhang.projects.models import MonthlyProgress
from taizhang.reporting.services import add_attachment

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.mark.parametrize("debug", [True, False])
def test_evidence_is_served_only_through_the_scoped_view(client, world, settings, tmp_path, debug):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.DEBUG = debug
    report = MonthlyProgress.objects.create(project=world.ls_project, year=2024, month=3, investment=Decimal("1"))
    a = add_attachment(world.ls_editor, report, SimpleUploadedFile("现场照片.png", PNG, content_type="image/png"))
    assert re.fullmatch(r"evidence/\d{4}/\d{2}/[0-9a-f]{32}\.png", a.file.name) and a.original_name == "现场照片.png"
    # Nobody reaches the file by its path: not anonymous, not even its owner.
    assert client.get(f"/media/{a.file.name}").status_code == 404
    client.force_login(world.ls_editor)
    assert client.get(f"/media/{a.file.name}").status_code == 404
    assert client.get(f"/reporting/attachments/{a.pk}/").status_code == 200
    client.force_login(world.lc_editor)
    assert client.get(f"/reporting/attachments/{a.pk}/").status_code == 404
