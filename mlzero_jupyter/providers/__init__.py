"""LLM providers: one chat call, retries in one place, token and cost accounting.

``get_provider(name, **options)`` (in :mod:`mlzero_jupyter.providers.registry`) builds one; the SDKs load lazily.
"""
