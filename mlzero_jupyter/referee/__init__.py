"""The referee: the agent, not the attempt's code, scores every attempt on labelled rows no attempt trained on."""

from mlzero_jupyter.referee.derive import Answers, Referee, derive
from mlzero_jupyter.referee.judge import Judgement, judge

__all__ = ["Answers", "Judgement", "Referee", "derive", "judge"]
