//! INFORMATION_SCHEMA views (not yet implemented: every query is refused).
use crate::emulator::error::SfError;
use crate::emulator::exec::Ex;
use crate::emulator::parser::Parser;
use crate::runtime::session::Rows;
pub fn select(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("SELECT … FROM"))
}
