"""Which delivery each configuration uses, and production refusing an unknown one."""

import pytest

from config import CONFIGS, check_production
from tests.test_config import env, good_settings  # noqa: F401 - the fixture is used


def test_delivery_defaults(monkeypatch):
    monkeypatch.delenv("MAIL_DELIVERY", raising=False)
    assert CONFIGS["production"].MAIL_DELIVERY == "worker"
    assert CONFIGS["development"].MAIL_DELIVERY == "inline"
    assert CONFIGS["testing"].MAIL_DELIVERY == "inline"
    monkeypatch.setenv("MAIL_DELIVERY", "inline")
    assert CONFIGS["production"].MAIL_DELIVERY == "inline"


def test_production_refuses_an_unknown_delivery(env):  # noqa: F811
    check_production(good_settings(MAIL_DELIVERY="worker"))
    with pytest.raises(RuntimeError, match="MAIL_DELIVERY must be worker"):
        check_production(good_settings(MAIL_DELIVERY="pigeon"))
