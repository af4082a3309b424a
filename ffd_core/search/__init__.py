"""The single view of the child: source records, the person index, linkage and search.

What the front ends call (each takes an Engine and, for long work, a
``progress(done, total, label)`` callback):

- ``service``: import_records, import_csv, relink, decide_link, person_view,
  possible_matches, export_links
- ``search``: search_people (any mix of name, date, postcode, school, UPN, NHS number,
  source id), find_exactly (the restricted partner look-up)
- ``sync``: sync_source (resumable incremental sync over the JSON contract in
  ``sync_contract``); ``sandbox``: a source system serving synthetic data on loopback
- ``demo``: load_demo_people, demo_sandbox

Underneath, pure and tested without a database: ``names`` (normal forms, nicknames,
sound-alike keys), ``compare`` (agreement levels), ``model`` (Fellegi–Sunter m/u),
``blocking``, ``linkage``, ``person_ids`` (stable ids), ``ranking``, ``quality``.
"""
