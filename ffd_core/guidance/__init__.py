"""Threshold guidance: the levels of need, their indicators, and where each is published."""

from .model import Domain, Indicator, Level, ThresholdGuidance
from .reader import read_guidance

__all__ = ["Domain", "Indicator", "Level", "ThresholdGuidance", "read_guidance"]
