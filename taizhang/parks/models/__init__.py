"""Parks and their buildings (space, tenancies, tax) and the 亩均效益评价 (the district's yearly
ranking of what each mu of land yields)."""

from .mujun import (  # noqa: F401
    DataBatch,
    Evaluation,
    Exemption,
    Indicator,
    IndicatorScore,
    MujunFigure,
    Objection,
    Publication,
    PublishedEntry,
    Result,
    Scheme,
    SchemePool,
)
from .space import Building, FirmMonthlyTax, ParkProfile, SpaceUnit, TaxImport, Tenancy  # noqa: F401
