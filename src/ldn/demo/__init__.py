"""`ldn demo` / `make demo`: each area's showcase section (`ldn.demo.summary` runs them all)."""
