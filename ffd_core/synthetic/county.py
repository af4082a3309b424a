"""``ffd demo seed``: a year in the life of Brackenshire's front door, through the services.

Agencies and staff, then a year of contacts shaped by DATA-STANDARDS.md (43% referred to
social care, 42% no further action, 14% early help; sources and categories weighted like a
real front door; some children contacted about again and again), then an open queue.
Every contact goes through the real use cases (submit, claim, request information, decide,
sign off) with a clock that walks through the year, in batched transactions: the rows and
the audit chain are exactly those the services write, because the services write them.

Everything follows from the seed except the accounts' passwords: those are random (the
secrets module), shown once, and the accounts are marked as the demo's own.
"""

from __future__ import annotations

import random
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ffd_core.clock import UK, FixedClock, as_utc
from ffd_core.services.demo_store import mark_demo_accounts
from ffd_core.domain.contact import NewContact, PersonEntry, Referrer
from ffd_core.domain.decisions import ChildDecision
from ffd_core.domain.vocab import (
    AgencyKind, Channel, Consent, ContactKind, LevelOfNeed, Outcome, PersonRole, Priority, Role,
)
from ffd_core.services import contacts, decisions, directory, ownership, screening
from ffd_core.services.context import SYSTEM, Actor, Context
from ffd_core.synthetic.population import Population, TrueChild, build_population

Progress = Callable[[int, int, str], None]
BATCH = 250

# (category, weight, usual priority, share referred to social care) — shaped on published
# front-door profiles: neglect and domestic abuse dominate, FGM and private fostering are rare.
CATEGORIES = [
    ("domestic_abuse", 22, Priority.HIGH, 0.45),
    ("neglect", 19, Priority.STANDARD, 0.45),
    ("physical_abuse", 11, Priority.HIGH, 0.60),
    ("parenting_support", 10, Priority.LOW, 0.10),
    ("self_harm_mental_health", 8, Priority.STANDARD, 0.30),
    ("emotional_abuse", 8, Priority.STANDARD, 0.40),
    ("sexual_abuse", 5, Priority.HIGH, 0.75),
    ("missing_child", 4, Priority.HIGH, 0.50),
    ("other", 4, Priority.LOW, 0.25),
    ("child_criminal_exploitation", 3, Priority.HIGH, 0.60),
    ("child_sexual_exploitation", 3, Priority.HIGH, 0.70),
    ("radicalisation", 1, Priority.STANDARD, 0.40),
    ("female_genital_mutilation", 1, Priority.HIGH, 0.80),
    ("private_fostering", 1, Priority.STANDARD, 0.60),
]

# (agency kind, weight, channels by weight)
SOURCES = [
    (AgencyKind.POLICE, 28, [(Channel.API, 8), (Channel.SECURE_EMAIL, 2)]),
    (AgencyKind.SCHOOL, 18, [(Channel.WEB_FORM, 7), (Channel.TELEPHONE, 3)]),
    (AgencyKind.GP_PRACTICE, 5, [(Channel.WEB_FORM, 5), (Channel.SECURE_EMAIL, 5)]),
    (AgencyKind.HEALTH_VISITING, 4, [(Channel.WEB_FORM, 6), (Channel.TELEPHONE, 4)]),
    (AgencyKind.HOSPITAL, 6, [(Channel.SECURE_EMAIL, 5), (Channel.TELEPHONE, 5)]),
    (AgencyKind.SCHOOL_NURSING, 2, [(Channel.WEB_FORM, 1)]),
    (AgencyKind.HOUSING, 3, [(Channel.WEB_FORM, 1), (Channel.SECURE_EMAIL, 1)]),
    (AgencyKind.EARLY_HELP, 4, [(Channel.WEB_FORM, 1)]),
    (AgencyKind.COUNCIL_INTERNAL, 3, [(Channel.SECURE_EMAIL, 1), (Channel.TELEPHONE, 1)]),
    (AgencyKind.OTHER_LOCAL_AUTHORITY, 3, [(Channel.SECURE_EMAIL, 1)]),
    (AgencyKind.PROBATION, 2, [(Channel.SECURE_EMAIL, 1)]),
    (AgencyKind.VOLUNTARY, 5, [(Channel.WEB_FORM, 2), (Channel.TELEPHONE, 1)]),
    (None, 17, [(Channel.TELEPHONE, 8), (Channel.WEB_FORM, 2), (Channel.POST, 1),
                (Channel.IN_PERSON, 1)]),  # members of the public, some anonymous
]

AGENCIES = [  # one email domain each: people who register join the agency by it
    ("Brackenshire Family Front Door", AgencyKind.COUNCIL_SOCIAL_CARE, "brackenshire.gov.example"),
    ("Brackenshire Early Help Hub", AgencyKind.EARLY_HELP, "earlyhelp.brackenshire.gov.example"),
    ("Brackenshire Housing Options", AgencyKind.HOUSING, "housing.brackenshire.gov.example"),
    ("Brackenshire Youth Justice Service", AgencyKind.COUNCIL_INTERNAL, "yjs.brackenshire.gov.example"),
    ("Brackenshire Constabulary", AgencyKind.POLICE, "brackenshire.police.example"),
    ("Wessex Probation Delivery Unit", AgencyKind.PROBATION, "probation.example"),
    ("Brackenford General Hospital", AgencyKind.HOSPITAL, "bgh.nhs.example"),
    ("St Aldhelm's Children's Hospital", AgencyKind.HOSPITAL, "staldhelms.nhs.example"),
    ("Brackenshire Health Visiting Service", AgencyKind.HEALTH_VISITING, "bhc.nhs.example"),
    ("Brackenshire School Nursing Team", AgencyKind.SCHOOL_NURSING, "schoolnursing.bhc.nhs.example"),
    ("Thornwick Community Mental Health Team", AgencyKind.OTHER_HEALTH, "cmht.bhc.nhs.example"),
    ("Brackenford Medical Centre", AgencyKind.GP_PRACTICE, "brackenfordmc.nhs.example"),
    ("Ashby Marsh Surgery", AgencyKind.GP_PRACTICE, "ashbysurgery.nhs.example"),
    ("Kelsey Bridge Health Centre", AgencyKind.GP_PRACTICE, "kelseyhc.nhs.example"),
    ("Hartswell Family Practice", AgencyKind.GP_PRACTICE, "hartswellfp.nhs.example"),
    ("Oakhollow Surgery", AgencyKind.GP_PRACTICE, "oakhollow.nhs.example"),
    ("Wexcombe Council Children's Services", AgencyKind.OTHER_LOCAL_AUTHORITY, "wexcombe.gov.example"),
    ("Severnvale Council Children's Services", AgencyKind.OTHER_LOCAL_AUTHORITY, "severnvale.gov.example"),
    ("Brackenshire Women's Aid", AgencyKind.VOLUNTARY, "bwa.org.example"),
    ("Young Carers Brackenshire", AgencyKind.VOLUNTARY, "youngcarers.org.example"),
    ("Kelsey Bridge Children's Centre", AgencyKind.VOLUNTARY, "kbcc.org.example"),
    ("Fenmoor Foodbank and Family Support", AgencyKind.VOLUNTARY, "fenmoorfood.org.example"),
    ("Brackenshire Inclusion and Attendance Service", AgencyKind.EDUCATION_SERVICE, "inclusion.brackenshire.gov.example"),
]
SCHOOL_AGENCIES = 27  # plus the county's schools, about 50 agencies in all

STAFF = [  # username, name, role, team
    ("demo.officer", "Priya Shah", Role.SCREENING_OFFICER, "Front Door A"),
    ("j.holloway", "James Holloway", Role.SCREENING_OFFICER, "Front Door A"),
    ("a.okafor", "Adaeze Okafor", Role.SCREENING_OFFICER, "Front Door A"),
    ("m.kowalski", "Marta Kowalski", Role.SCREENING_OFFICER, "Front Door A"),
    ("t.brennan", "Tom Brennan", Role.SCREENING_OFFICER, "Front Door B"),
    ("s.begum", "Sadia Begum", Role.SCREENING_OFFICER, "Front Door B"),
    ("l.harris", "Lucy Harris", Role.SCREENING_OFFICER, "Front Door B"),
    ("d.evans", "Daniel Evans", Role.SCREENING_OFFICER, "Front Door B"),
    ("demo.supervisor", "Helen Marsh", Role.SUPERVISOR, "Front Door A"),
    ("r.campbell", "Rachel Campbell", Role.SUPERVISOR, "Front Door B"),
    ("k.mensah", "Kwame Mensah", Role.SUPERVISOR, "Front Door B"),
    ("demo.socialworker", "Chloe Price", Role.SOCIAL_WORKER, "Assessment Team North"),
    ("n.patel", "Nikhil Patel", Role.SOCIAL_WORKER, "Assessment Team North"),
    ("e.walsh", "Erin Walsh", Role.SOCIAL_WORKER, "Assessment Team South"),
    ("g.adeyemi", "Grace Adeyemi", Role.SOCIAL_WORKER, "Child Protection Team"),
    ("demo.admin", "Ian Fletcher", Role.ADMINISTRATOR, "Systems"),
]
PARTNERS = [  # username, name, agency name
    ("demo.teacher", "Sarah Lowe", "school"),
    ("demo.police", "PC Mark Reed", "Brackenshire Constabulary"),
    ("demo.healthvisitor", "Joanne Pike", "Brackenshire Health Visiting Service"),
]
WORDS = ("amber", "birch", "cobalt", "delta", "ember", "fjord", "granite", "harbour", "indigo",
         "juniper", "kestrel", "lantern", "meadow", "nimbus", "orchid", "pebble", "quartz",
         "russet", "saffron", "thistle", "umber", "velvet", "willow", "yarrow", "zephyr")

WHAT_HAPPENED = {
    "physical_abuse": "Child arrived with a bruise on the {side} cheek; the explanation given "
                      "does not fit the injury.",
    "neglect": "Child often arrives hungry and in unwashed clothes; attendance has dropped to "
               "{pct}% this term.",
    "domestic_abuse": "Police attended a domestic incident at the home at {hour}:00; the "
                      "children were present.",
    "missing_child": "Child did not return home last night and was found {place} this morning.",
    "self_harm_mental_health": "Child disclosed self-harm to a member of staff; marks seen on "
                               "the forearm.",
    "emotional_abuse": "Child says they are shouted at and called names at home most days.",
    "sexual_abuse": "Child made a disclosure to a teaching assistant during a lesson.",
    "child_sexual_exploitation": "Child seen getting into cars with older males; has new "
                                 "phones and gifts.",
    "child_criminal_exploitation": "Child found with cash and several phones {place}; believed "
                                   "to be carrying drugs.",
    "parenting_support": "Parent asked for help with the child's behaviour at home.",
    "radicalisation": "Child has been sharing extremist material with classmates.",
    "female_genital_mutilation": "Mother has talked about a family trip for a 'special "
                                 "ceremony' over the holidays.",
    "private_fostering": "Child has been living with a family friend for six weeks.",
    "other": "Concerns about the family's circumstances following eviction.",
}


@dataclass
class SeedSummary:
    agencies: int = 0
    staff: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, password
    contacts: int = 0
    open_contacts: int = 0
    children: int = 0
    as_of: date | None = None


def demo_password() -> str:
    """Random, never from the seed: the same seed must not give the same administrator
    password to everyone who ran the demo. Words to be typeable, hex for strength."""
    return "-".join(secrets.choice(WORDS) for _ in range(3)) + f"-{secrets.token_hex(3)}"


def seed_county(
    ctx: Context,
    *,
    seed: int = 2026,
    as_of: date,
    contacts_total: int = 11_000,
    open_total: int = 40,
    people: int = 12_000,
    progress: Progress | None = None,
    population: Population | None = None,
) -> SeedSummary:
    """Build the county into an empty store. Same seed and as-of date, same data."""
    rng = random.Random(seed)
    report = progress or (lambda done, total, label: None)
    population = population or build_population(seed, people, as_of)
    summary = SeedSummary(children=len(population.children), as_of=as_of)
    builder = _CountyBuilder(ctx, rng, population, as_of, report)
    builder.directory(summary)
    history = max(contacts_total - open_total, 0)
    # The open queue is anchored on the real "now" when seeding for today, so the demo's
    # clocks read true; on another as-of date, late morning of that day.
    now = ctx.now() if ctx.now().astimezone(UK).date() == as_of else \
        as_utc(datetime.combine(as_of, time(11, 30), UK))
    builder.contacts(history, open_total, summary, now)
    return summary


class _CountyBuilder:
    def __init__(self, ctx: Context, rng: random.Random, population: Population, as_of: date,
                 report: Progress) -> None:
        self.rng, self.population, self.as_of, self.report = rng, population, as_of, report
        self.clock = FixedClock(datetime.combine(as_of - timedelta(days=366), time(8), UK))
        # The seed's own context: same store and settings, a clock that walks the year.
        self.ctx = Context(ctx.engine, ctx.settings, ctx.audit_key, self.clock, ctx.lifecycle,
                           mail_key=ctx.mail_key)
        self.agencies: dict[AgencyKind, list[tuple[int, str, str]]] = {}
        self.officers: list[Actor] = []
        self.supervisors: list[Actor] = []
        self.partners: dict[AgencyKind, Actor] = {}
        self.frequent = rng.sample(population.children, k=max(1, len(population.children) // 12))

    # ------------------------------------------------------------------ directory
    def directory(self, summary: SeedSummary) -> None:
        ctx = self.ctx
        schools = [
            (name, AgencyKind.SCHOOL, _domain(name) + ".sch.example")
            for name in self.population.schools[:SCHOOL_AGENCIES]
        ]
        rows = AGENCIES + schools
        self.report(0, len(rows), "agencies")
        for index, (name, kind, domain) in enumerate(rows, start=1):
            agency_id = directory.add_agency(ctx, SYSTEM, directory.AgencyInput(name, kind, (domain,)))
            self.agencies.setdefault(kind, []).append((agency_id, name, domain))
            self.report(index, len(rows), "agencies")
        summary.agencies = len(rows)
        council = self.agencies[AgencyKind.COUNCIL_SOCIAL_CARE][0][0]
        self.report(0, len(STAFF) + len(PARTNERS), "staff")
        for index, (username, name, role, team) in enumerate(STAFF, start=1):
            password = demo_password()
            user_id = directory.add_user(ctx, SYSTEM, directory.UserInput(
                username, name, role, council, password, f"{username}@brackenshire.gov.example", team))
            actor = Actor(user_id, name, role, council)
            if role is Role.SCREENING_OFFICER:
                self.officers.append(actor)
            elif role is Role.SUPERVISOR:
                self.supervisors.append(actor)
            summary.staff.append((username, role.value, password))
            self.report(index, len(STAFF) + len(PARTNERS), "staff")
        for index, (username, name, agency_name) in enumerate(PARTNERS, start=len(STAFF) + 1):
            agency = next(
                (a for rows_ in self.agencies.values() for a in rows_
                 if a[1] == agency_name or (agency_name == "school" and a[2].endswith(".sch.example"))),
            )
            kind = next(k for k, rows_ in self.agencies.items() if agency in rows_)
            password = demo_password()
            user_id = directory.add_user(ctx, SYSTEM, directory.UserInput(
                username, name, Role.PARTNER, agency[0], password, f"{username}@{agency[2]}"))
            self.partners[kind] = Actor(user_id, name, Role.PARTNER, agency[0])
            summary.staff.append((username, Role.PARTNER.value, password))
            self.report(index, len(STAFF) + len(PARTNERS), "staff")
        mark_demo_accounts(ctx, [username for username, _, _ in summary.staff])

    # ------------------------------------------------------------------ contacts
    def contacts(self, history: int, open_total: int, summary: SeedSummary, now: datetime) -> None:
        start = datetime.combine(self.as_of - timedelta(days=365), time(0), UK)
        span = (datetime.combine(self.as_of, time(0), UK) - start).total_seconds()
        times = sorted(self._arrival(start, span) for _ in range(history))
        # A realistic queue: most arrived in the last few hours, a few are older and breaching.
        recent = sorted(
            now - timedelta(minutes=self.rng.uniform(5, 60 * 6) if self.rng.random() < 0.85
                            else self.rng.uniform(60 * 6, 60 * 30))
            for _ in range(open_total)
        )
        total = history + open_total
        done = 0
        self.report(0, total, "contacts")
        for chunk in _chunks([(t, False) for t in times] + [(t, True) for t in recent], BATCH):
            with self.ctx.batch():
                for received_at, open_ in chunk:
                    if open_:
                        self._open_contact(received_at, now)
                    else:
                        self._decided_contact(received_at)
            done += len(chunk)
            self.report(done, total, "contacts")
        self.clock.set(now)
        summary.contacts, summary.open_contacts = total, open_total

    def _arrival(self, start: datetime, span: float) -> datetime:
        # Most contacts arrive in office hours on weekdays; police send theirs round the clock.
        while True:
            at = start + timedelta(seconds=self.rng.uniform(0, span))
            local = at.astimezone(UK)
            in_hours = local.weekday() < 5 and 8 <= local.hour < 18
            if in_hours or self.rng.random() < 0.25:
                return as_utc(at)

    def _new_contact(self, received_at: datetime) -> tuple[NewContact, Actor | None, float]:
        rng = self.rng
        category, _, priority, referral_share = rng.choices(
            CATEGORIES, weights=[c[1] for c in CATEGORIES])[0]
        kind, _, channels = rng.choices(SOURCES, weights=[s[1] for s in SOURCES])[0]
        channel = rng.choices([c for c, _ in channels], weights=[w for _, w in channels])[0]
        children = self._children(received_at)
        household = self.population.household_of(children[0])
        anonymous = kind is None and rng.random() < 0.4
        referrer, submitter = self._referrer(kind, anonymous)
        consent = rng.choices(list(Consent), weights=[70, 10, 20])[0]
        rfi = rng.random() < 0.05 and kind in (AgencyKind.POLICE, AgencyKind.OTHER_LOCAL_AUTHORITY)
        new = NewContact(
            kind=ContactKind.REQUEST_FOR_INFORMATION if rfi else ContactKind.CAUSE_FOR_CONCERN,
            channel=channel,
            received_at=received_at,
            category=category,
            children=tuple(_entry(child, rng, received_at.date()) for child in children),
            household=tuple(
                PersonEntry(given_name=a.given_name, family_name=a.family_name,
                            role=PersonRole.HOUSEHOLD, relationship_to_child=a.relationship,
                            gender=a.gender)
                for a in household.adults
            ),
            referrer=referrer,
            consent=consent,
            consent_reason=None if consent is Consent.GIVEN else _consent_reason(consent),
            anonymous=anonymous,
            keep_identity_from_family=rng.random() < 0.15,
            answers={"category": category, "what_happened": _what_happened(category, rng)},
            priority=priority if rng.random() < 0.8 else Priority(rng.choice([2, 3, 4])),
            referrer_level_of_need=rng.choice(list(LevelOfNeed)),
        )
        return new, submitter, referral_share

    def _children(self, received_at: datetime) -> list[TrueChild]:
        rng = self.rng
        pool = self.frequent if rng.random() < 0.3 else self.population.children
        first = rng.choice(pool)
        siblings = [self.population.child(k)
                    for k in self.population.household_of(first).child_keys]
        count = rng.choices([1, 2, 3], weights=[70, 20, 10])[0]
        others = [c for c in siblings if c is not first]
        return [first, *others[: count - 1]]

    def _referrer(self, kind: AgencyKind | None, anonymous: bool) -> tuple[Referrer, Actor | None]:
        if kind is None:
            if anonymous:
                return Referrer(), None
            return Referrer(name=f"{self.rng.choice(['Mrs', 'Mr', 'Ms'])} "
                                 f"{self.rng.choice(self.population.households).adults[0].family_name}",
                            role="Member of the public", phone="01632 960 000"), None
        agency_id, name, domain = self.rng.choice(self.agencies[kind])
        partner = self.partners.get(kind)
        if partner and partner.agency_id == agency_id and self.rng.random() < 0.5:
            return Referrer(agency_id=agency_id, agency_name=name), partner
        person = self.rng.choice(self.population.households).adults[0]
        return Referrer(agency_id=agency_id, name=f"{person.given_name} {person.family_name}",
                        role=_role_for(kind), agency_name=name, phone="01632 960 321",
                        email=f"{_domain(person.given_name)}.{_domain(person.family_name)}@{domain}"), None

    def _receive(self, new: NewContact, submitter: Actor | None, lag_minutes: float):  # noqa: ANN202
        """A partner's submission is received the moment they send it; a call or a letter
        is typed in by an officer a little later, saying when it arrived."""
        if submitter is not None:
            self.clock.set(new.received_at)
            return contacts.submit(self.ctx, submitter, new)
        self.clock.set(new.received_at + timedelta(minutes=lag_minutes))
        return contacts.submit(self.ctx, self.rng.choice(self.officers), new)

    def _decided_contact(self, received_at: datetime) -> None:
        rng, ctx, clock = self.rng, self.ctx, self.clock
        new, submitter, referral_share = self._new_contact(received_at)
        receipt = self._receive(new, submitter, lag_minutes=rng.uniform(1, 40))
        officer = rng.choice(self.officers)
        # Nine in ten decided within the working day; some take longer.
        delay_hours = rng.uniform(0.3, 6) if rng.random() < 0.9 else rng.uniform(8, 40)
        clock.set(max(received_at, clock.now()) + timedelta(hours=delay_hours / 3))
        ownership.claim(ctx, officer, receipt.contact_id)
        if rng.random() < 0.1:
            screening.request_information(ctx, officer, receipt.contact_id,
                                       recipient=new.referrer.email or "referrer@unknown.example",
                                       message="Please tell us more about what you saw.",
                                       chase_by=clock.now() + timedelta(days=1))
            clock.advance(hours=rng.uniform(0.5, 4))
            screening.record_reply(ctx, SYSTEM, receipt.contact_id, "Further details given by phone.")
        clock.advance(hours=delay_hours * 2 / 3)
        decision = self._decision(new, referral_share)
        status = decisions.decide(ctx, officer, receipt.contact_id, same_for_all=decision)
        if status.value == "awaiting_sign_off":
            clock.advance(minutes=rng.uniform(10, 120))
            decisions.approve(ctx, rng.choice(self.supervisors), receipt.contact_id)

    def _decision(self, new: NewContact, referral_share: float) -> ChildDecision:
        rng = self.rng
        if new.kind is ContactKind.REQUEST_FOR_INFORMATION:
            outcome = Outcome.INFORMATION_SHARED if rng.random() < 0.85 else Outcome.INFORMATION_DECLINED
            return ChildDecision(outcome, "Lawful basis checked; proportionate to share."
                                 if outcome is Outcome.INFORMATION_SHARED else
                                 "No lawful basis given for sharing.")
        # Overall about 43% referred, 42% NFA, 14% early help, 1% advice (DATA-STANDARDS.md).
        roll = rng.random()
        referred = roll < referral_share * 0.93
        if referred:
            return ChildDecision(Outcome.SOCIAL_CARE_REFERRAL,
                                 "Threshold for statutory assessment met.",
                                 level_of_need=LevelOfNeed.ACUTE, primary_need="N1")
        rest = rng.random()
        if rest < 0.24:
            return ChildDecision(Outcome.EARLY_HELP, "Needs met by a targeted early help offer.",
                                 level_of_need=LevelOfNeed.COMPLEX)
        if rest < 0.26:
            return ChildDecision(Outcome.ADVICE_SIGNPOSTING, "Signposted to universal services.",
                                 level_of_need=LevelOfNeed.ADDITIONAL)
        return ChildDecision(Outcome.NO_FURTHER_ACTION, "Below threshold; universal services "
                             "are meeting the child's needs.", level_of_need=LevelOfNeed.UNIVERSAL)

    def _open_contact(self, received_at: datetime, now: datetime) -> None:
        rng, ctx, clock = self.rng, self.ctx, self.clock
        new, submitter, _ = self._new_contact(received_at)
        receipt = self._receive(new, submitter, lag_minutes=1)
        stage = rng.random()
        clock.set(min(now, clock.now() + timedelta(minutes=rng.uniform(5, 90))))
        if stage < 0.45:
            return  # still in the holding area, unallocated
        officer = rng.choice(self.officers)
        ownership.claim(ctx, officer, receipt.contact_id)
        if stage < 0.6:
            clock.set(min(now, clock.now() + timedelta(minutes=10)))
            screening.request_information(ctx, officer, receipt.contact_id,
                                       recipient=new.referrer.email or "referrer@unknown.example",
                                       message="Can you tell us whether the family know about "
                                               "your concern?",
                                       chase_by=now + timedelta(hours=rng.uniform(2, 30)))
        elif stage < 0.7 and new.kind is ContactKind.CAUSE_FOR_CONCERN:
            # Proposed no further action, waiting for a supervisor's sign-off.
            decisions.decide(ctx, officer, receipt.contact_id, same_for_all=ChildDecision(
                Outcome.NO_FURTHER_ACTION, "Below threshold; school to monitor.",
                level_of_need=LevelOfNeed.UNIVERSAL))


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def _entry(child: TrueChild, rng: random.Random, on: date) -> PersonEntry:
    """What a referrer typically knows: often the name and date of birth, sometimes less.
    A child born after the contact was, on that day, an unborn baby with a due date."""
    unborn = child.unborn or child.date_of_birth > on
    known_dob = rng.random() < 0.85
    return PersonEntry(
        given_name=child.given_name if not unborn else "Unborn",
        family_name=child.family_name,
        date_of_birth=child.date_of_birth if known_dob and not unborn else None,
        expected_due_date=child.date_of_birth if unborn else None,
        gender=child.gender if child.gender != "unknown" else None,
        ethnicity=child.ethnicity if rng.random() < 0.6 else None,
        address=f"{child.address.line1}, {child.address.town}",
        postcode=child.address.postcode if rng.random() < 0.8 else None,
        school=child.school,
        nhs_number=child.nhs_number if rng.random() < 0.2 and not unborn else None,
        upn=child.upn if child.upn and rng.random() < 0.2 else None,
        synthetic_key=child.key,
    )


def _what_happened(category: str, rng: random.Random) -> str:
    return WHAT_HAPPENED[category].format(
        side=rng.choice(["left", "right"]), pct=rng.randrange(60, 85), hour=rng.randrange(18, 24),
        place=rng.choice(["in Brackenford town centre", "at Thornwick station", "in a park"]))


def _consent_reason(consent: Consent) -> str:
    if consent is Consent.REFUSED:
        return "Mother declined; concerns serious enough to refer without consent."
    return "Seeking consent could place the child at risk of harm."


def _role_for(kind: AgencyKind) -> str:
    return {
        AgencyKind.POLICE: "Police constable", AgencyKind.SCHOOL: "Designated safeguarding lead",
        AgencyKind.GP_PRACTICE: "GP", AgencyKind.HEALTH_VISITING: "Health visitor",
        AgencyKind.HOSPITAL: "Paediatric liaison nurse", AgencyKind.SCHOOL_NURSING: "School nurse",
        AgencyKind.HOUSING: "Housing officer", AgencyKind.PROBATION: "Probation officer",
    }.get(kind, "Practitioner")


def _domain(name: str) -> str:
    """The letters of a name as they appear in an email address: ASCII (Dąbrowski ->
    dabrowski, Łukasz -> lukasz), as staff addresses are."""
    plain = unicodedata.normalize("NFKD", name.lower().replace("ł", "l").replace("ø", "o"))
    return "".join(ch for ch in plain if ch.isascii() and ch.isalnum())[:24]


def new_secret() -> str:
    return secrets.token_urlsafe(32)
