"""Declarative IVR flows for 14023: the flow file model, loader and validator, opening
hours with Dutch public holidays, and the prompt builder that renders every text to
Asterisk audio. The IVR engine reads a loaded ``Flow``; it never parses YAML itself.
"""

from ivr_flows.channel import IvrChannel
from ivr_flows.engine import (
    ChooseMunicipality,
    CollectDigit,
    EnterQueue,
    HangUp,
    IvrEngine,
    IvrState,
    IvrStateError,
    Play,
    RecordStep,
    StepOutcome,
)
from ivr_flows.errors import FlowError, Problem
from ivr_flows.holidays import Holiday, HolidayPolicy, dutch_holidays, easter_sunday
from ivr_flows.hours import (
    MunicipalityHours,
    OpeningHours,
    WeeklyOpeningHours,
    is_open,
    next_opening,
    next_opening_text,
)
from ivr_flows.inputs import DigitCollected, LiveSwitches, PlayFinished, Start
from ivr_flows.loader import load_flow, parse_flow_text
from ivr_flows.model import (
    CalamityNode,
    Flow,
    HoursCheckNode,
    InputPolicy,
    MenuNode,
    MenuOption,
    MessageNode,
    Node,
    NodeKind,
    QueueNode,
)
from ivr_flows.prompt_audio import EspeakVoice, PromptBuildError
from ivr_flows.prompts import Manifest, PromptEntry, build_prompts, collect_texts
from ivr_flows.runner import HungUp, IvrContext, IvrResult, Queued, run_ivr
from ivr_flows.validate import validate_flow

__all__ = [
    "CalamityNode",
    "ChooseMunicipality",
    "CollectDigit",
    "DigitCollected",
    "EnterQueue",
    "EspeakVoice",
    "Flow",
    "FlowError",
    "HangUp",
    "Holiday",
    "HolidayPolicy",
    "HoursCheckNode",
    "HungUp",
    "InputPolicy",
    "IvrChannel",
    "IvrContext",
    "IvrEngine",
    "IvrResult",
    "IvrState",
    "IvrStateError",
    "LiveSwitches",
    "Manifest",
    "MenuNode",
    "MenuOption",
    "MessageNode",
    "MunicipalityHours",
    "Node",
    "NodeKind",
    "OpeningHours",
    "Play",
    "PlayFinished",
    "Problem",
    "PromptBuildError",
    "PromptEntry",
    "QueueNode",
    "Queued",
    "RecordStep",
    "Start",
    "StepOutcome",
    "WeeklyOpeningHours",
    "build_prompts",
    "collect_texts",
    "dutch_holidays",
    "easter_sunday",
    "is_open",
    "load_flow",
    "next_opening",
    "next_opening_text",
    "parse_flow_text",
    "run_ivr",
    "validate_flow",
]
