//! Models (not yet implemented: every statement is refused).
use crate::emulator::error::SfError;
use crate::emulator::exec::{CreateHead, Ex};
use crate::emulator::parser::Parser;
use crate::runtime::session::Rows;
pub fn create(_: &mut Ex<'_>, _: &mut Parser<'_>, _: CreateHead) -> Result<Rows, SfError> {
    Err(SfError::unsupported("CREATE MODEL"))
}
pub fn alter(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("ALTER MODEL"))
}
pub fn show(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("SHOW MODELS"))
}
pub fn show_versions(_: &mut Ex<'_>, _: &mut Parser<'_>) -> Result<Rows, SfError> {
    Err(SfError::unsupported("SHOW VERSIONS"))
}
