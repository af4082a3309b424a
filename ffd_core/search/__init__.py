"""The single view of the child: source records, the person index, linkage and search."""
