//! Procedures and functions (not yet implemented: every statement is refused).
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex};
use crate::emulator::parser::Parser;
use crate::emulator::storage::Key;
use crate::runtime::session::Rows;
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routine {
    Procedure,
    Function,
}
pub fn create(
    _: &mut Ex<'_>,
    _: &mut Parser<'_>,
    _: CreateHead,
    _: Routine,
) -> Result<Rows, SfError> {
    Err(SfError::unsupported("CREATE PROCEDURE"))
}
pub fn alter(_: &mut Ex<'_>, _: &mut Parser<'_>, _: Routine) -> Result<Rows, SfError> {
    Err(SfError::unsupported("ALTER PROCEDURE"))
}
pub fn drop(_: &mut Ex<'_>, _: &mut Parser<'_>, _: Routine) -> Result<Rows, SfError> {
    Err(SfError::unsupported("DROP PROCEDURE"))
}
pub fn show(_: &mut Ex<'_>, _: &mut Parser<'_>, _: Routine) -> Result<Rows, SfError> {
    Err(SfError::unsupported("SHOW PROCEDURES"))
}
pub fn describe(_: &mut Ex<'_>, _: &mut Parser<'_>, _: Routine) -> Result<Rows, SfError> {
    Err(SfError::unsupported("DESCRIBE PROCEDURE"))
}
pub fn parse_sig(_: &mut Parser<'_>) -> Result<String, SfError> {
    Err(SfError::unsupported("procedure signatures"))
}
pub fn grant_display(_: &Ex<'_>, _: &str, _: &Key) -> Result<String, SfError> {
    Err(SfError::unsupported("procedure grants"))
}
