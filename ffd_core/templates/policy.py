"""What a reply template may contain, decided from its parsed form before it ever runs.

Council staff (or whoever can write to their configuration folder) write these templates,
and they are rendered as the officer or the server. Jinja's sandbox stops a template
reaching Python internals, but not a template that loops 20,000 x 20,000 times or
multiplies a string by a billion. Rather than police those while they run, a template may
only use what a letter to a referrer needs:

- text, placeholders ``{{ name }}``, and ``{{ link(url, "text") }}``;
- ``{% if placeholder %}`` (with ``not``, ``and``, ``or``) and ``{% for item in questions %}``
  over a list placeholder, not inside another loop;
- a few filters that only change case or join a list (``upper``, ``lower``, ``join(", ")``).

No attribute or item access (``x.y``, ``x[0]``), no arithmetic, no calls but ``link``, no
``set``, macros, imports or includes. So the work a render does is bounded by the size of
the template times the length of the questions list, and everything else is refused by
`ffd config check` with its line. The sandbox, an output cap and a deadline stay behind
this as a second line (see markup.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from jinja2 import nodes

from . import placeholders

FILTERS = frozenset({"upper", "lower", "capitalize", "title", "trim", "join"})
# {% if %} inside {% for %} inside {% if %}...: letters need two or three levels.
MAX_BLOCK_DEPTH = 4
# Links may go to web pages, email addresses and telephone numbers, never to script.
LINK_SCHEMES = ("https://", "mailto:", "tel:")

_BLOCKS = (nodes.If, nodes.For)


@dataclass(frozen=True)
class Refusal:
    line: int  # 1-based, within the template source
    message: str


def refusals(tree: nodes.Template) -> list[Refusal]:
    """Everything in ``tree`` outside the allowed vocabulary, in line order."""
    found: list[Refusal] = []
    # (node, inside a loop, enclosing blocks); iterative, so a pathologically deep tree
    # cannot exhaust the stack here.
    stack: list[tuple[nodes.Node, bool, int]] = [(tree, False, 0)]
    while stack:
        node, in_loop, depth = stack.pop()
        problem = _problem(node, in_loop, depth)
        if problem:
            found.append(Refusal(node.lineno or 1, problem))
            continue
        in_loop = in_loop or isinstance(node, nodes.For)
        depth += isinstance(node, _BLOCKS)
        stack.extend((child, in_loop, depth) for child in reversed(_children(node)))
    return sorted(found, key=lambda r: r.line)


def _children(node: nodes.Node) -> list[nodes.Node]:
    if isinstance(node, nodes.Call):
        return list(node.args)  # the callee is checked in _problem
    if isinstance(node, nodes.Filter):
        return [node.node] if node.node is not None else []
    if isinstance(node, nodes.For):
        return [*node.body, *node.else_]  # target and list are checked in _problem
    return list(node.iter_child_nodes())


def _problem(node: nodes.Node, in_loop: bool, depth: int) -> str:
    if isinstance(node, (nodes.Template, nodes.Output, nodes.TemplateData)):
        return ""
    if isinstance(node, nodes.Const):
        return "" if isinstance(node.value, str) else "write numbers as text"
    if isinstance(node, nodes.Name):
        return ""  # unknown names are reported by the placeholder check, with a suggestion
    if isinstance(node, (nodes.Not, nodes.And, nodes.Or)):
        return ""
    if isinstance(node, _BLOCKS) and depth >= MAX_BLOCK_DEPTH:
        return f"{{% if %}} and {{% for %}} are nested more than {MAX_BLOCK_DEPTH} deep"
    if isinstance(node, nodes.If):
        return ""
    if isinstance(node, nodes.For):
        return _loop_problem(node, in_loop)
    if isinstance(node, nodes.Call):
        return _call_problem(node)
    if isinstance(node, nodes.Filter):
        if node.name not in FILTERS:
            return f"the filter '{node.name}' is not allowed (allowed: {', '.join(sorted(FILTERS))})"
        if node.kwargs or node.dyn_args or node.dyn_kwargs:
            return f"the filter '{node.name}' takes no named arguments"
        if not all(isinstance(a, nodes.Const) and isinstance(a.value, str) for a in node.args):
            return f"the filter '{node.name}' takes only quoted text, e.g. join(\", \")"
        return ""
    if isinstance(node, (nodes.Getattr, nodes.Getitem)):
        return "attribute and item access (x.y, x[0]) is not allowed: use the placeholder itself"
    return f"'{_describe(node)}' is not allowed in a reply template"


def _loop_problem(node: nodes.For, in_loop: bool) -> str:
    if in_loop:
        return "a {% for %} inside another {% for %} is not allowed"
    if node.recursive or node.test is not None:
        return "write {% for item in questions %} without 'recursive' or 'if'"
    if not isinstance(node.target, nodes.Name):
        return "loop over one name at a time: {% for question in questions %}"
    if not isinstance(node.iter, nodes.Name) or node.iter.name not in placeholders.LISTS:
        return "{% for %} may only go through a list placeholder: " + ", ".join(
            sorted(placeholders.LISTS)
        )
    return ""


def _call_problem(node: nodes.Call) -> str:
    if not isinstance(node.node, nodes.Name) or node.node.name not in placeholders.HELPERS:
        return "the only function a template may call is link(url, text)"
    if node.kwargs or node.dyn_args or node.dyn_kwargs or len(node.args) != 2:
        return 'write link(url, "text"): an address and the words to show'
    for arg in node.args:
        if not isinstance(arg, (nodes.Const, nodes.Name)) or (
            isinstance(arg, nodes.Const) and not isinstance(arg.value, str)
        ):
            return 'link(url, "text") takes placeholders or quoted text'
    url = node.args[0]
    if isinstance(url, nodes.Const) and not url.value.startswith(LINK_SCHEMES):
        return "a link must start with " + ", ".join(LINK_SCHEMES)
    return ""


def _describe(node: nodes.Node) -> str:
    """The construct as a council author would recognise it."""
    words = {
        nodes.Assign: "{% set %}",
        nodes.AssignBlock: "{% set %}",
        nodes.Macro: "{% macro %}",
        nodes.CallBlock: "{% call %}",
        nodes.FilterBlock: "{% filter %}",
        nodes.With: "{% with %}",
        nodes.Block: "{% block %}",
        nodes.Extends: "{% extends %}",
        nodes.Include: "{% include %}",
        nodes.Import: "{% import %}",
        nodes.FromImport: "{% from ... import %}",
        nodes.Scope: "{% autoescape %}",
        nodes.ScopedEvalContextModifier: "{% autoescape %}",
        nodes.Test: "is (a test)",
        nodes.Compare: "comparison",
        nodes.BinExpr: "arithmetic",
        nodes.UnaryExpr: "arithmetic",
        nodes.Concat: "~ (joining)",
        nodes.CondExpr: "if ... else inside {{ }}",
        nodes.Slice: "slicing",
        nodes.List: "a list",
        nodes.Tuple: "a tuple",
        nodes.Dict: "a dictionary",
    }
    for kind, word in words.items():
        if isinstance(node, kind):
            return word
    return type(node).__name__
