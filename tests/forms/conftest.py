from datetime import date

import pytest

from ffd_core.domain.vocab import ContactKind
from ffd_core.forms import default_config

TODAY = date(2026, 11, 26)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture(scope="session")
def cfc():
    return default_config().form(ContactKind.CAUSE_FOR_CONCERN)


@pytest.fixture(scope="session")
def rfi():
    return default_config().form(ContactKind.REQUEST_FOR_INFORMATION)
