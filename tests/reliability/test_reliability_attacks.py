"""Every attack of issue 17 against the real layers: the policy flags the one-liners; the sandbox (bubblewrap)
contains the scripts; without isolation the process and environment layers still hold where they can."""

from __future__ import annotations

import pytest
from reliability_attacks import POLICY_ATTACKS, SANDBOX_ATTACKS, policy_verdict, run_attack

from mlzero_jupyter.execution.sandbox import isolation

BUBBLEWRAP = isolation().kind == "bubblewrap"


@pytest.mark.parametrize("name", list(POLICY_ATTACKS))
def test_the_policy_flags_each_one_liner(name, tmp_path):
    flagged, detail = policy_verdict(POLICY_ATTACKS[name], tmp_path)
    assert flagged, detail


@pytest.mark.skipif(not BUBBLEWRAP, reason="bubblewrap is not installed or cannot create namespaces here")
@pytest.mark.parametrize("attack", SANDBOX_ATTACKS, ids=[a.name for a in SANDBOX_ATTACKS])
def test_the_sandbox_contains_each_attack(attack, tmp_path):
    outcome = run_attack(attack, tmp_path, "bubblewrap")
    assert outcome.held, outcome.detail
    assert outcome.secrets_leaked == 0 and outcome.data_lost == 0


@pytest.mark.parametrize("attack", [a for a in SANDBOX_ATTACKS if not a.needs_isolation],
                         ids=[a.name for a in SANDBOX_ATTACKS if not a.needs_isolation])
def test_without_isolation_the_other_layers_hold(attack, tmp_path):
    outcome = run_attack(attack, tmp_path, "none")
    assert outcome.held, outcome.detail
    assert "none" in outcome.detail



NAMESPACE_HOLDS = ("read the parent's /proc/<pid>/environ", "connect to a service on loopback",
                   "connect to the internet", "double fork and setsid to outlive the attempt",
                   "signal the kernel process")


@pytest.mark.skipif(isolation("namespaces").kind != "namespaces", reason="unshare cannot create namespaces here")
@pytest.mark.parametrize("attack", [a for a in SANDBOX_ATTACKS if a.name in NAMESPACE_HOLDS],
                         ids=[a.name for a in SANDBOX_ATTACKS if a.name in NAMESPACE_HOLDS])
def test_the_namespaces_fallback_contains_process_and_network_attacks(attack, tmp_path):
    outcome = run_attack(attack, tmp_path, "namespaces")
    assert outcome.held, outcome.detail
    assert outcome.detail.startswith("namespaces")
