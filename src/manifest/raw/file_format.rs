//! Named file formats.

use schemars::JsonSchema;
use serde::Deserialize;

use super::WholeNumber;

/// A named file format (`CREATE FILE FORMAT`). Options apply to the types Snowflake
/// allows them for; others are rejected.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileFormatRaw {
    #[serde(rename = "type")]
    pub format_type: FileFormatType,
    /// `AUTO`, `GZIP`, `SNAPPY`, `NONE`, … (depends on the type).
    pub compression: Option<String>,
    /// CSV: field separator.
    pub field_delimiter: Option<String>,
    /// CSV: record separator.
    pub record_delimiter: Option<String>,
    /// CSV: header lines to skip.
    #[schemars(range(min = 0, max = 2147483647))]
    pub skip_header: Option<WholeNumber>,
    /// CSV: quote character.
    pub field_optionally_enclosed_by: Option<String>,
    /// CSV: treat empty fields as NULL.
    pub empty_field_as_null: Option<bool>,
    /// CSV: fail on rows with a different number of columns.
    pub error_on_column_count_mismatch: Option<bool>,
    /// CSV/JSON: date format.
    pub date_format: Option<String>,
    /// CSV/JSON: timestamp format.
    pub timestamp_format: Option<String>,
    /// CSV/JSON/PARQUET: strings that mean NULL.
    pub null_if: Option<Vec<String>>,
    /// CSV/JSON/PARQUET: trim white space around strings.
    pub trim_space: Option<bool>,
    /// JSON: strip the outer array.
    pub strip_outer_array: Option<bool>,
    /// JSON: drop fields holding null.
    pub strip_null_values: Option<bool>,
    /// PARQUET: read binary columns as text.
    pub binary_as_text: Option<bool>,
    /// PARQUET/JSON/CSV: replace invalid UTF-8 characters.
    pub replace_invalid_characters: Option<bool>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FileFormatType {
    Csv,
    Json,
    Parquet,
    Avro,
    Orc,
    Xml,
}

impl FileFormatType {
    pub fn sql(self) -> &'static str {
        match self {
            FileFormatType::Csv => "CSV",
            FileFormatType::Json => "JSON",
            FileFormatType::Parquet => "PARQUET",
            FileFormatType::Avro => "AVRO",
            FileFormatType::Orc => "ORC",
            FileFormatType::Xml => "XML",
        }
    }
}
