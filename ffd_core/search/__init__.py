"""The single view of the child: source records, the person index, linkage and search.

The machinery behind ffd_core.services.person_index and ffd_core.services.single_view
(front ends call those, never this package: rights and audit live there):

- ``index_store``, ``link_store``: source records, search keys, people, pairs and officers'
  decisions in the store
- ``search``: search_people (any mix of name, date or age, full or partial postcode, street,
  school, gender, UPN, NHS number, source id), find_exactly (the restricted partner look-up);
  ``query_text``: what an officer types in one box, as a query
- ``csv_import``: CSV exports under a column mapping, every problem named by line;
  ``import_report``: those problems as a spreadsheet-safe CSV
- ``sync``: sync_source (resumable incremental sync over the JSON contract in
  ``sync_contract``); ``sandbox``: a source system serving synthetic data on loopback
- ``demo``: demo_extract, demo_sandbox

Underneath, pure and tested without a database: ``names`` (normal forms, nicknames,
sound-alike keys, spelling variants), ``addresses`` (postcodes and homes in comparable
form), ``compare`` (agreement levels over every name), ``model`` (Fellegi–Sunter m/u),
``blocking``, ``linkage``, ``person_ids`` (stable ids), ``ranking``, ``quality``.
"""
