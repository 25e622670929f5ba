"""A participant downloads a copy of their data from their account page."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_a_participant_downloads_their_data(page, sign_in):
    sign_in(page, "participant@coop.example")
    page.goto("/account")
    expect(page.get_by_role("heading", name="Your data", exact=True)).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download my data").click()
    download = info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(open(download.path(), "rb").read())) as zf:
        assert "applications.csv" in zf.namelist()
        data = json.loads(zf.read("data.json"))
    assert data["account"]["email"] == "participant@coop.example"
    assert data["applications"], "the demo participant has an application"
