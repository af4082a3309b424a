import os
from datetime import date

import pytest
from hypothesis import HealthCheck, settings

from ffd_core.domain.vocab import ContactKind
from ffd_core.forms import default_config

# HYPOTHESIS_PROFILE=dev for a deeper search; CI uses the small default.
for name, examples in (("ci", 50), ("dev", 300)):
    settings.register_profile(
        name, max_examples=examples, suppress_health_check=[HealthCheck.too_slow], deadline=None
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

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
