"""Services: the work behind the routes (routes parse, call a service, answer)."""
