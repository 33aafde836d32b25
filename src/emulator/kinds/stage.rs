//! Stages (not yet implemented: every statement is refused).
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex};
use crate::emulator::parser::Parser;
use crate::runtime::session::Rows;
pub fn create(_: &mut Ex<'_>, _: &mut Parser<'_>, _: CreateHead) -> Result<Rows, SfError> {
    Err(SfError::unsupported("CREATE STAGE"))
}
pub fn alter(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("ALTER STAGE"))
}
pub fn show(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("SHOW STAGES"))
}
pub fn describe(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("DESCRIBE STAGE"))
}
pub fn put(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("PUT"))
}
pub fn list(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("LIST"))
}
pub fn remove(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("REMOVE"))
}
