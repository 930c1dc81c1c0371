"""The clinic registry: pseudonymous patients, prescriptions, outcome assessments, adverse
events, users with roles, and an append-only audit log (docs/registry.md).

Modules: `config` (database URL), `db` (engines, sessions, migrations), `models` (tables),
`schemas` (pydantic Create/Update/Public), `services` (keyword-only `*, session, actor`
functions; roles and audit enforced there), `permissions`, `audit`, `security` (argon2),
`scales` (outcome scales and MIDs), `import_export` (CSV), `fhir` (FHIR R4 Bundle),
`demo_data`; analysis: `n_of_1`, `cohort`, `analysis_io`.
"""

from ldn.registry import practice_models as _practice_models  # noqa: F401  (tables on Base)
