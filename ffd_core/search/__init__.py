"""The single view of the child: source records, the person index, linkage and search.

The machinery behind ffd_core.services.person_index and ffd_core.services.single_view
(front ends call those, never this package: rights and audit live there):

- ``index_store``, ``link_store``: source records, search keys, people, pairs and officers'
  decisions in the store
- ``search``: search_people (any mix of name, date, postcode, school, UPN, NHS number,
  source id), find_exactly (the restricted partner look-up)
- ``sync``: sync_source (resumable incremental sync over the JSON contract in
  ``sync_contract``); ``sandbox``: a source system serving synthetic data on loopback
- ``demo``: demo_extract, demo_sandbox

Underneath, pure and tested without a database: ``names`` (normal forms, nicknames,
sound-alike keys), ``compare`` (agreement levels), ``model`` (Fellegi–Sunter m/u),
``blocking``, ``linkage``, ``person_ids`` (stable ids), ``ranking``, ``quality``.
"""
