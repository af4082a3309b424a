"""Hostile configuration: how long the product takes to refuse each input from issue 10,
and what screening costs an ordinary load.

    .venv/bin/python benchmarks/hostile_config.py

Each case is written to a council folder (or a mapping file) and read the way
`ffd config check` reads it; the table shows the best of a few runs and what was said.
Nothing here is asserted (tests/forms/test_hostile_yaml.py and
tests/templates/test_hostile_templates.py assert the refusals).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ffd_core.forms import check_config_dir, export_defaults
from ffd_core.forms.errors import ConfigInvalid
from ffd_core.search.csv_import import load_mapping

RUNS = 3


def alias_bomb(levels: int) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def with_file(folder: Path, name: str, text: str) -> Callable[[], str]:
    def run() -> str:
        (folder / name).write_text(text)
        errors = check_config_dir(folder)
        return str(errors[0]).splitlines()[0] if errors else "accepted"

    return run


def mapping(folder: Path, text: str) -> Callable[[], str]:
    path = folder / "mapping.yaml"
    path.write_text(text)

    def run() -> str:
        try:
            load_mapping(path)
        except ConfigInvalid as error:
            return str(error).splitlines()[1]
        return "accepted"

    return run


def template(folder: Path, source: str) -> Callable[[], str]:
    text = (folder / "templates.yaml").read_text().replace(
        "      Dear {{ referrer_name }},\n", f"      {source}\n      Dear {{{{ referrer_name }}}},\n", 1)
    return with_file(folder, "templates.yaml", text)


def main() -> None:
    root = Path(tempfile.mkdtemp(prefix="ffd-hostile-"))
    cases: list[tuple[str, Callable[[], str]]] = []
    clean = root / "clean"
    export_defaults(clean)
    cases.append(("bundled defaults (ordinary load)", lambda: "accepted" if not check_config_dir(None) else "?"))
    cases.append(("council folder, unchanged", lambda: "accepted" if not check_config_dir(clean) else "?"))
    for label, name, text in [
        ("8-level alias bomb in council.yaml", "council.yaml", 'name: x\nedt_phone: "0300 123 4567"\n' + alias_bomb(8)),
        ("3,000 nested brackets", "thresholds.yaml", "version: 1\ndomains: " + "[" * 3000 + "]" * 3000 + "\n"),
        ("400 nested not: in a rule", "priority_rules.yaml",
         "version: 1\nrules:\n  - when:\n" + "".join("  " * (i + 3) + "not:\n" for i in range(400))),
        ("recent_contacts_window_days: 10^20", "priority_rules.yaml",
         (clean / "priority_rules.yaml").read_text().replace("recent_contacts_window_days: 91",
                                                             "recent_contacts_window_days: 100000000000000000000")),
    ]:
        folder = root / name.replace(".", "_") / label.split()[0]
        export_defaults(folder)
        cases.append((label, with_file(folder, name, text)))
    cases.append(("9-level alias bomb in an import mapping", mapping(root, "source_id: ID\n" + alias_bomb(9))))
    for label, source in [
        ("template: the sandbox escape", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
        ("template: 20000 x 20000 loop",
         "{% for i in range(20000) %}{% for j in range(20000) %}x{% endfor %}{% endfor %}"),
    ]:
        folder = root / "tpl" / str(len(cases))
        export_defaults(folder)
        cases.append((label, template(folder, source)))

    print(f"{'input':44} {'best of ' + str(RUNS):>12}  result")
    print(f"{'-' * 44} {'-' * 12}  {'-' * 60}")
    for label, run in cases:
        best, said = float("inf"), ""
        for _ in range(RUNS):
            start = time.perf_counter()
            said = run()
            best = min(best, time.perf_counter() - start)
        said = said.replace(str(root), "…")
        print(f"{label:44} {best * 1000:9.1f} ms  {said[:100]}")


if __name__ == "__main__":
    main()
