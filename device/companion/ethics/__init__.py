"""Consent, disclosure, watermarking, guardrails and grief-safety (ETHICS.md), enforced in code."""
