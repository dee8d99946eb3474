"""Faults injected into real runs (scripted attempts, real subprocesses, the real openai SDK): each survived,
no input lost, no secret in any file of the run."""

from __future__ import annotations

import pytest
import reliability_scenarios as scenarios

from mlzero_jupyter.execution.sandbox import isolation


def survive(scenario, tmp_path) -> scenarios.Outcome:
    outcome = scenario(tmp_path)
    assert outcome.survived, outcome.detail
    assert outcome.data_lost == 0
    assert outcome.secrets_leaked == 0
    return outcome


def test_an_endless_attempt_is_killed_with_its_process(tmp_path):
    outcome = survive(scenarios.loop_forever, tmp_path)
    assert outcome.evidence["result"].total_s < 40


def test_an_allocating_attempt_is_killed_at_the_memory_cap(tmp_path):
    survive(scenarios.unbounded_memory, tmp_path)


def test_a_segfault_is_a_failed_attempt_and_the_loop_goes_on(tmp_path):
    survive(scenarios.segfault, tmp_path)


def test_children_and_grandchildren_are_all_dead_after_the_attempt(tmp_path):
    survive(scenarios.fork_tree, tmp_path)


def test_gigabytes_of_output_are_capped_on_disk(tmp_path):
    survive(scenarios.huge_output, tmp_path)


def test_llm_throttling_is_retried_and_the_run_succeeds(tmp_path):
    outcome = survive(scenarios.llm_throttling, tmp_path)
    assert [a.status for a in outcome.evidence["result"].attempts][0] == "success"  # (a search may go on)


def test_llm_timeouts_fail_one_attempt_and_the_next_succeeds(tmp_path):
    outcome = survive(scenarios.llm_timeouts, tmp_path)
    first = outcome.evidence["result"].attempts[0]
    assert first.status == "failed" and first.error.startswith("LLM error")


def test_malformed_llm_replies_fail_attempts_not_the_run(tmp_path):
    outcome = survive(scenarios.llm_malformed, tmp_path)
    statuses = [a.status for a in outcome.evidence["result"].attempts]
    assert statuses[:3] == ["failed", "failed", "success"]


def test_kernel_interrupt_kills_the_attempt_stops_the_run_and_it_resumes(tmp_path):
    outcome = survive(scenarios.keyboard_interrupt, tmp_path)
    assert outcome.evidence["stopped"].attempts[0].error == "interrupted by the user"


def test_a_killed_kernel_leaves_a_run_that_resumes_from_disk(tmp_path):
    outcome = survive(scenarios.kernel_crash, tmp_path)
    assert [a.number for a in outcome.evidence["resumed"].attempts] == [1]
    assert not outcome.evidence["survivors"]  # the sandbox died with its kernel, or the resume killed the orphan
    if isolation().kind == "none":
        assert outcome.evidence["orphans"]


def test_two_runs_in_two_threads_do_not_mix(tmp_path):
    outcome = survive(scenarios.two_runs_at_once, tmp_path)
    left, right = outcome.evidence["results"].values()
    assert left.run_dir != right.run_dir


def test_prompt_injection_is_blocked_or_contained(tmp_path):
    outcome = survive(scenarios.prompt_injection, tmp_path)
    assert not outcome.evidence["pwned"]
    assert all(scenarios.SECRET not in body for body in outcome.evidence["posted"])


@pytest.mark.skipif(not scenarios.can_mount(), reason="needs root on Linux to mount a tiny tmpfs")
def test_a_full_disk_gives_one_clear_error_and_whole_records(tmp_path):
    outcome = survive(scenarios.disk_full, tmp_path)
    assert "--output" in outcome.evidence["message"]


def test_run_folders_damaged_by_hand_give_one_line_and_break_nothing(tmp_path):
    outcome = survive(scenarios.damaged_run_folders, tmp_path)
    assert set(outcome.evidence["verdicts"]) == set(scenarios.DAMAGES)
