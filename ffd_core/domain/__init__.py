"""Plain-Python domain: vocabulary, lifecycle, clocks and permissions. No I/O here."""
