"""Deadline sweeps over every clock, escalation, accountability records (效能问责) and monthly performance reports."""
