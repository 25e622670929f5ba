import pytest

from tests.plans.world import make_world


@pytest.fixture
def world(factory):
    return make_world(factory)
