"""What each tab of a contact shows: the contact as ffd_core's view gives it, laid out for
reading. Presentation only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from ffd_core.services.contact_view import ContactView
from ffd_core.services.context import Context
from ffd_tui.format import (
    format_day,
    format_uk_datetime,
    label,
    priority_label,
    time_left,
)
from ffd_tui.plain import add_plain_row


def header(v: ContactView, ctx: Context, may_set_priority: bool) -> Text:
    """Reference, kind, priority, status, owner and time left; then when and from whom."""
    left, cls = time_left(v.due_at, v.status, ctx.now(), ctx.clock_policy, ctx.lifecycle)
    text = Text()
    text.append(f"{v.reference}", style="bold")
    text.append(f"  {label(v.kind)} by {label(v.channel)}  ")
    text.append(priority_label(v.priority), style="bold red" if v.priority == 1 else "bold")
    text.append(f"  {label(v.status)}", style="bold")
    text.append(f"  owner: {v.owner or 'unallocated'}")
    text.append("  left: ")
    text.append(left or "—", style={"breached": "bold red", "due-soon": "bold yellow"}.get(cls, ""))
    if v.restricted:
        text.append("  RESTRICTED", style="bold red")
    if v.to_complete:
        text.append("  TO COMPLETE: K adds the child, category and consent", style="bold yellow")
    text.append(f"\nreceived {format_uk_datetime(v.received_at)}")
    if v.due_at:
        text.append(f"  due {format_uk_datetime(v.due_at)}")
    text.append(f"  category: {v.category_label or '—'}  from: {v.referrer_agency or '—'}")
    text.append(f"  consent: {label(v.consent)}")
    text.append(f"  changed {format_uk_datetime(v.changed_at)} by {v.changed_by}", style="dim")
    if may_set_priority:
        text.append("   1-4 set priority  [ ] tabs", style="dim italic")
    else:
        text.append("   read only  [ ] tabs", style="dim italic")
    return text


def answers(v: ContactView, rows: list[tuple[str, str, str]] | None) -> Group:
    people = Table(box=None, show_header=True, header_style="bold", expand=False)
    for column in ("Child", "Born", "Gender", "Address", "School", "NHS", "Person"):
        people.add_column(column)
    for child in v.children:
        born = format_day(child.date_of_birth) if child.date_of_birth else (
            f"due {format_day(child.expected_due_date)}" if child.expected_due_date else "")
        add_plain_row(people, child.name, born, child.gender or "",
                       " ".join(x for x in (child.address, child.postcode) if x),
                       child.school or "", child.nhs_number or "", child.person_id or "")
    household = Text()
    for person in v.household:
        household.append(f"  {person.name} ({person.relationship or 'household'})"
                         f"{'  ' + person.address if person.address else ''}\n")
    referrer = v.referrer
    who = Text(f"Referrer: {referrer.get('name') or ('anonymous' if v.anonymous else '—')}"
               f", {referrer.get('role') or ''} {v.referrer_agency}  "
               f"{referrer.get('phone') or ''} {referrer.get('email') or ''}")
    form_id, version, _hash = v.form
    form = Text(f"Form: {form_id} version {version}" if form_id else "Form: none recorded",
                style="dim")
    answers = Table(box=None, show_header=False, expand=True)
    answers.add_column(style="bold", ratio=1)
    answers.add_column(ratio=3)
    if rows is None:  # the form could not be read: the raw answers, plainly
        rows = [("", label(key).capitalize(),
                 v.category_label if key == "category" else _answer(value))
                for key, value in v.answers.items()]
    section = None
    for heading, question, answer in rows:
        if heading and heading != section:
            add_plain_row(answers, Text(heading, style="bold underline"), "")
            section = heading
        add_plain_row(answers, question, answer)
    parts: list[Any] = [people]
    if v.household:
        parts += [Text("Household", style="bold"), household]
    parts += [who, form, Text(""), answers]
    return Group(*parts)


def thread(items, empty: str) -> Text:
    if not items:
        return Text(empty, style="dim")
    text = Text()
    for item in items:
        arrow = {"out": "→", "in": "←"}.get(item.direction, "•")
        text.append(f"{format_uk_datetime(item.at)} {arrow} {label(item.kind)} — {item.who}",
                    style="bold")
        if item.chase_by:
            text.append(f"  (chase by {format_uk_datetime(item.chase_by)})", style="yellow")
        text.append(f"\n{item.body}\n\n")
    return text


def deliveries(v: ContactView) -> Text:
    """What went out for this contact and how it went (sent, retrying, failed...)."""
    text = Text()
    if v.deliveries:
        text.append("Delivery\n", style="bold underline")
    for d in v.deliveries:
        text.append(f"{format_uk_datetime(d.queued_at)} {d.purpose} to {d.to or '—'}: ")
        text.append(d.status, style={"dead": "bold red", "sent": "green"}.get(d.state, "yellow"))
        if d.timeliness:
            text.append(f" ({d.timeliness})", style="" if d.in_time else "bold red")
        if d.last_error and d.state != "sent":
            text.append(f" — {d.last_error}", style="red")
        text.append("\n")
    for record in v.case_system:  # each child's way into the case system, with its ids
        text.append(f"{record.line}\n", style="green" if record.contact_id else "yellow")
    return text


def history(v: ContactView) -> Table:
    table = Table(box=None, header_style="bold", expand=True)
    for column in ("When", "Who", "What", "From → to", "Detail"):
        table.add_column(column)
    for h in v.history:
        move = f"{label(h.from_status)} → {label(h.to_status)}" if h.to_status else ""
        detail = ", ".join(f"{words}: {format_uk_datetime(value) if isinstance(value, datetime) else value}"
                           for words, value in h.shown)
        add_plain_row(table, format_uk_datetime(h.at), h.actor, label(h.action), move, detail)
    return table


def decisions(v: ContactView) -> Table | Text:
    if not v.decisions:
        return Text("No decision yet.", style="dim")
    table = Table(box=None, header_style="bold", expand=True)
    for column in ("Child", "Outcome", "Level", "State", "By", "When", "Rationale"):
        table.add_column(column)
    for d in v.decisions:
        add_plain_row(table, d.child, label(d.outcome), label(d.level_of_need), d.state,
                      d.decided_by, format_uk_datetime(d.decided_at), d.rationale)
    return table


def links(v: ContactView) -> Text:
    return _listed(v.links, "No linked contacts. Press l to link one.",
                   lambda link: f"{link.reference}  {label(link.status)}  — {link.reason}")


def guidance(v: ContactView, suggestion, levels_found) -> Text:
    text = Text()
    if suggestion:
        priority, reasons = suggestion
        text.append(f"Suggested priority: {priority_label(priority)}\n", style="bold")
        for reason in reasons:
            text.append(f"  • {reason}\n")
        text.append(f"Current: {priority_label(v.priority)}"
                    f"{' — ' + v.priority_reason if v.priority_reason else ''}\n\n")
    url, levels = levels_found
    if levels:
        text.append(f"Threshold guidance for {v.category_label}", style="bold")
        text.append(f"  {url}\n", style="dim")
        for title, indicators in levels:
            text.append(f"{title}\n", style="bold")
            for indicator_id, words in indicators:
                text.append(f"  {indicator_id}  {words}\n")
    if not text.plain:
        text.append("No guidance or suggestion for this category yet.", style="dim")
    return text


def attachments(v: ContactView) -> Text:
    text = _listed(v.attachments, "No attachments.",
                   lambda a: f"{a['filename']}  {a['media_type']}  {a['size']:,} bytes")
    if v.attachments:
        text.append("\n(Opening and saving attachments needs an attachment service in "
                    "ffd_core.)", style="dim")
    return text


def _listed(items: list[Any], empty: str, line: Callable[[Any], str]) -> Text:
    """One line per item, or a dim line saying there are none."""
    if not items:
        return Text(empty, style="dim")
    return Text("".join(f"{line(item)}\n" for item in items))


def _answer(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_answer(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{label(k)}: {_answer(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)
