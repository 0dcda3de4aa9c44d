"""Passwords, API keys, browser tokens and who-may-do-what."""
