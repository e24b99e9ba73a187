"""carecap: regional care-capacity optimisation for Dutch care regions.

The public surface: the region model (`Region` and its records), reading and writing
region files, and the errors carecap raises on purpose.
"""

from __future__ import annotations

import logging

from .anw import AnwClass as AnwClass
from .anw import ShiftClass as ShiftClass
from .domain import FORMAT_VERSION as FORMAT_VERSION
from .domain import AgencySupply as AgencySupply
from .domain import CarryIn as CarryIn
from .domain import Coordinates as Coordinates
from .domain import Costs as Costs
from .domain import Employment as Employment
from .domain import FixedAssignment as FixedAssignment
from .domain import GapCause as GapCause
from .domain import Holiday as Holiday
from .domain import Horizon as Horizon
from .domain import Interval as Interval
from .domain import LabourRules as LabourRules
from .domain import Level as Level
from .domain import Location as Location
from .domain import OpenSlot as OpenSlot
from .domain import Organisation as Organisation
from .domain import OrtBand as OrtBand
from .domain import PastShift as PastShift
from .domain import Preference as Preference
from .domain import Region as Region
from .domain import Requirement as Requirement
from .domain import Sector as Sector
from .domain import Shift as Shift
from .domain import ShiftPreferences as ShiftPreferences
from .domain import ShiftTemplate as ShiftTemplate
from .domain import SicknessEpisode as SicknessEpisode
from .domain import Staff as Staff
from .domain import Ward as Ward
from .exceptions import InputError as InputError
from .io import parse_region as parse_region
from .io import read_region as read_region
from .io import write_region as write_region

# A library adds no handlers of its own; the CLI configures output.
logging.getLogger("carecap").addHandler(logging.NullHandler())
