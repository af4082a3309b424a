"""Run one use case in a child process that a fault point will SIGKILL (see test_crash)."""

from __future__ import annotations

import sys
from datetime import datetime

from ffd_core.clock import FixedClock
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import LevelOfNeed, Outcome
from ffd_core.services import contacts, decisions, directory
from ffd_core.services.context import Context
from ffd_core.settings import Settings
from ffd_core.store.engine import make_engine
from tests.conftest import AUDIT_KEY
from tests.factories import new_contact


def main(url: str, action: str, at: str, arg: str) -> None:
    clock = FixedClock(datetime.fromisoformat(at))
    ctx = Context(make_engine(url), Settings(database_url=url), AUDIT_KEY, clock)
    if action == "submit":
        contacts.submit(ctx, directory.actor_by_username(ctx, "teacher"), new_contact(clock.now()))
    elif action == "decide":
        decisions.decide(ctx, directory.actor_by_username(ctx, "olivia"), int(arg),
                      same_for_all=ChildDecision(Outcome.SOCIAL_CARE_REFERRAL, "Injury",
                                                 level_of_need=LevelOfNeed.ACUTE,
                                                 primary_need="N1"))
    print("completed")


if __name__ == "__main__":
    main(*sys.argv[1:])
