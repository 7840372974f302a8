"""The weekly expiry digest (SPEC §8): content, rendering, sending, scheduling."""
