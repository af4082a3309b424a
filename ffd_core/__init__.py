"""Family Front Door triage workstation: the product library.

Front ends (ffd_tui, ffd_web, ffd_cli) call the services in this package and render what
they return; no business rule lives outside it.
"""

__version__ = "0.1.0"
