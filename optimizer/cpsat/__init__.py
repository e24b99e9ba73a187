"""The CP-SAT roster solver's builder: model, variables, constraints, objective (S9)."""

from .constraints import FAMILIES as FAMILIES
from .constraints import Constraints as Constraints
from .model import CpSatModel as CpSatModel
from .model import LevelOutcome as LevelOutcome
from .objective import LEVELS as LEVELS
from .objective import Objective as Objective
from .variables import Variables as Variables
