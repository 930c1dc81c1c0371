"""Command-line interface (`ldn`). Each subcommand lives in its own module here."""
