"""Use cases, one function each. Services never import chalice."""
