"""Iterative coding: coders turn a task and the run's memory into the code of one attempt."""
