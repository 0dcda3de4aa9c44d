"""Text front end: normalization (numbers, dates, money ...), pronunciation markup, IPA."""
