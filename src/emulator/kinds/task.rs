//! Tasks (not yet implemented: every statement is refused).
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex};
use crate::emulator::parser::Parser;
use crate::runtime::session::Rows;
pub fn create(_: &mut Ex<'_>, _: &mut Parser<'_>, _: CreateHead) -> Result<Rows, SfError> {
    Err(SfError::unsupported("CREATE TASK"))
}
pub fn alter(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("ALTER TASK"))
}
pub fn drop(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("DROP TASK"))
}
pub fn show(_: &mut Ex<'_>, _: &mut Parser<'_>, _: bool) -> Result<Rows, SfError> {
    Err(SfError::unsupported("SHOW TASKS"))
}
pub fn describe(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("DESCRIBE TASK"))
}
pub fn execute_task(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("EXECUTE TASK"))
}
