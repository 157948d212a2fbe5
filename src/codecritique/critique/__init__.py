"""Self-critique test-time scaling (P2 §3, App. A). :mod:`.selection` chooses one of k solutions from their
critiques."""
