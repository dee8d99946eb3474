"""The offline planner's parts: the plan of one attempt, its rules (repairs, guidance, improvement) and the
script builders for each kind of task. ``mlzero_jupyter.coding.offline`` puts them together."""
