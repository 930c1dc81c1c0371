"""Bayesian calibration of the mechanism families against the randomised trials (`ldn calibrate`).

Lives above the model core and the trials: it reads the evidence (`ldn.evidence`), runs the
families (`ldn.simulation.hypotheses`) and writes the shipped posterior (`ldn/data/mechanisms`);
`ldn hypotheses`, the demo and assurance in `ldn trial`/`ldn power` read it. Nothing below it
imports it.
"""
