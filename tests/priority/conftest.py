import os

from hypothesis import HealthCheck, settings

# The same profiles as tests/forms, so this folder also honours HYPOTHESIS_PROFILE when run alone.
for name, examples in (("ci", 50), ("dev", 300)):
    settings.register_profile(
        name, max_examples=examples, suppress_health_check=[HealthCheck.too_slow], deadline=None
    )
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
