"""The LLM layer: prompts, response parsing, an OpenAI-compatible async client, a local transformers backend, a
resumable request store and a helper that runs a small OpenAI-compatible server on CPU.

Import the submodules directly (``codecritique.llm.client``, ``.prompts``, ...); this package imports nothing heavy.
"""
