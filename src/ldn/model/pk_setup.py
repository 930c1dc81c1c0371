"""Parameter objects of a PK structural variant from the shipped fit (`ldn.pk_fits`).

    setup = model_setup("binding_kinetics")       # PK, binding and extra parameters
    draws = model_draws("brain_retention", 100)   # the same with arrays of shape (100,)

The default variant (lowest AIC) is also the one whose values are in parameters.toml. It is the
one PK of the whole package: exposure/occupancy outputs, the rebound → immune → disease chain
and every mechanism family, the population engine, the trial simulator and the SBML export
(`linear_setup` for the last three, which refuse a variant with kinetic binding).
`default_system` builds its linear system from parameters.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ldn import pk_fits
from ldn.errors import InputError
from ldn.model.pk import LinearSystem, PKParams
from ldn.model.pk_models import MODEL_NAMES, get_model, model_system
from ldn.model.receptors import BindingParams
from ldn.parameters import ParameterSet, default_parameters
from ldn.types import FloatLike

_BINDING = ("invivo_scale", "kp_m", "fu_m")


@dataclass(frozen=True)
class ModelSetup:
    """Everything needed to simulate one variant: PK, binding and the variant's extras."""

    model: str
    pk: PKParams
    binding: BindingParams
    extra: dict[str, FloatLike]

    @property
    def n_draws(self) -> int | None:
        shape = self.pk.batch_shape()
        return shape[0] if shape else None


def default_model() -> str:
    return pk_fits.default_model()


def resolve_name(model: str | None) -> str:
    name = default_model() if model is None else model
    get_model(name)
    return name


def _split(
    values: dict[str, FloatLike],
) -> tuple[dict[str, FloatLike], dict[str, FloatLike], dict[str, FloatLike]]:
    pk_fields = PKParams.__dataclass_fields__
    pk = {k: v for k, v in values.items() if k in pk_fields}
    b = {k: v for k, v in values.items() if k in _BINDING}
    extra = {k: v for k, v in values.items() if k not in pk and k not in b}
    return pk, b, extra


def model_setup(model: str | None = None, params: ParameterSet | None = None) -> ModelSetup:
    """Parameters of variant `model` (default variant if None).

    With `params` given and the default variant, `params` is used as it is (its `pk.*`,
    `receptor.*` and `pk_variant.*` hold the default fit); for another variant its fitted
    values replace those.
    """
    name = resolve_name(model)
    ps = default_parameters() if params is None else params
    fitted: dict[str, FloatLike] = dict(pk_fits.fitted_values(name))
    if params is not None and name == default_model():
        fitted = {}
    pk, b, extra = _split(fitted)
    extra = {k: extra.get(k, ps.value(f"pk_variant.{k}")) for k in get_model(name).extra_params}
    return ModelSetup(
        name, PKParams.from_parameters(ps, **pk), BindingParams.from_parameters(ps, **b), extra
    )


def model_draws(
    model: str | None = None, n: int | None = None, params: ParameterSet | None = None
) -> ModelSetup:
    """`model_setup` with every fitted/nuisance parameter an array of `n` posterior draws."""
    name = resolve_name(model)
    base = model_setup(name, params)
    pk, b, extra = _split(dict(pk_fits.draw_columns(name, n)))
    return ModelSetup(
        name, replace(base.pk, **pk), replace(base.binding, **b), {**base.extra, **extra}
    )


def default_system(pk: PKParams, params: ParameterSet) -> LinearSystem:
    """Linear system of the default variant for PK parameters `pk` (scalars or arrays).

    For code that reads parameters.toml directly (population engine, SBML export): the extra
    parameters come from the `pk_variant.*` group.  A variant with kinetic binding has no
    algebraic occupancy, so it is refused here with a clear message.
    """
    name = default_model()
    spec = get_model(name)
    if spec.kinetic_binding:
        raise InputError(
            f"the default PK model {name} has kinetic receptor binding, which the population "
            "engine and SBML export do not support; choose a linear variant"
        )
    extra = {k: params.value(f"pk_variant.{k}") for k in spec.extra_params}
    return model_system(name, pk, extra)


def linear_setup(
    model: str | None = None, params: ParameterSet | None = None, *, draws: bool = False
) -> ModelSetup:
    """`model_setup` (or, with `draws`, `model_draws` with every shipped draw) of a variant with
    equilibrium binding, for code that integrates the linear PK itself (population engine, trial
    simulator, SBML export): a variant with kinetic binding has no algebraic occupancy, so it
    is refused with a clear message."""
    name = resolve_name(model)
    if get_model(name).kinetic_binding:
        linear = ", ".join(n for n in MODEL_NAMES if not get_model(n).kinetic_binding)
        raise InputError(
            f"PK model {name} has kinetic receptor binding, which the population engine, trial "
            f"simulator and SBML export cannot integrate; choose one of {linear}"
        )
    return model_draws(name, None, params) if draws else model_setup(name, params)


__all__ = [
    "MODEL_NAMES",
    "ModelSetup",
    "default_system",
    "linear_setup",
    "model_draws",
    "model_setup",
]
