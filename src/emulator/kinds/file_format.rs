//! File formats (not yet implemented: every statement is refused).
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex};
use crate::emulator::parser::Parser;
use crate::runtime::session::Rows;
pub fn create(_: &mut Ex<'_>, _: &mut Parser<'_>, _: CreateHead) -> Result<Rows, SfError> {
    Err(SfError::unsupported("CREATE FILE FORMAT"))
}
pub fn alter(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("ALTER FILE FORMAT"))
}
pub fn show(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("SHOW FILE FORMATS"))
}
pub fn describe(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("DESCRIBE FILE FORMAT"))
}
