//! Ordering changes into a reviewable plan (filled in by the plan work).
