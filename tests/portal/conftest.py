import pytest

from tests.sessions.builders import Builder


@pytest.fixture
def build(factory):
    return Builder(factory)
