"""Statistics of observed patients: Bayesian N-of-1 analysis (`n_of_1`, `course`) and cohort
summaries (`cohort`). Pure functions over arrays and dataclasses; the registry feeds them."""
