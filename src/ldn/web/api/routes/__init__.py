"""One module per API resource, each with its own `router`."""
