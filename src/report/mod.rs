//! Rendering plans and reports for people and machines (filled in by the plan work).
