//! The embedded Snowflake emulator (STUB: filled in by the emulator work).
